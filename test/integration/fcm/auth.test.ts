/**
 * Access tokens through the real google-auth-library Compute path (GCE_METADATA_HOST pointing at
 * the local metadata server), shared by concurrent sends, refreshed once, replayed once on 401.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { classifyFcmError } from '../../../functions/src/fcm/classify';
import { createFcmSender } from '../../../functions/src/fcm/client';
import type { AccessTokenProvider } from '../../../functions/src/fcm/access-token';
import { type AcceptedPush, startFcmServer } from '../../../tools/local-google/fcm-server';
import { useLocalGooglePerTest } from './local-google';
import { LOCAL_PROJECT_ID } from '../../../tools/local-env/local-env';

const MINUTE = 60_000;

describe('FCM access tokens', () => {
  const local = useLocalGooglePerTest();
  const senderWith = (tokenProvider: AccessTokenProvider, concurrency = 100) =>
    local.senderWith(tokenProvider, { concurrency });

  it('when 1,000 sends start at once, then google-auth-library asks the metadata server for one token', async () => {
    const send = senderWith(local.newTokenProvider(), 1000);
    const outcomes = await Promise.all(
      Array.from({ length: 1000 }, (_, i) => send.send({ token: `device-${i}` })),
    );
    assert.equal(outcomes.filter((o) => o.ok).length, 1000);
    assert.equal(local.metadata.tokenRequests.length, 1);
    assert.equal(
      local.metadata.tokenRequests[0]!.scopes,
      'https://www.googleapis.com/auth/firebase.messaging',
    );
    assert.equal(local.fcm.accepted.length, 1000);
  });

  it('when the token is near expiry, then exactly one refresh happens and the new token is used', async () => {
    let clock = Date.now();
    const send = senderWith(local.newTokenProvider({ now: () => clock }));
    assert.equal((await send.send({ token: 'before' })).ok, true);
    const [first] = local.fcm.accepted;
    assert.equal(local.metadata.tokenRequests.length, 1);

    clock += 3599_000 - 4 * MINUTE; // inside the 5-minute refresh window
    const during = await send.sendAll(
      Array.from({ length: 200 }, (_, i) => ({ token: `near-${i}` })),
    );
    assert.equal(during.filter((o) => o.ok).length, 200);
    await local.metadata.waitForTokenRequests(2);

    clock += 5 * MINUTE; // the first token has now expired
    assert.equal((await send.send({ token: 'after' })).ok, true);
    assert.equal(local.metadata.tokenRequests.length, 2);
    const last = local.fcm.accepted.at(-1)!;
    assert.equal(last.message.token, 'after');
    assert.notEqual(bearerOf(last), bearerOf(first!));
  });

  it('when FCM rejects the token with 401, then the client refreshes once and replays once', async () => {
    const send = senderWith(local.newTokenProvider());
    assert.equal((await send.send({ token: 'first' })).ok, true);
    local.metadata.revoke(bearerOf(local.fcm.accepted[0]!));

    const outcomes = await send.sendAll(
      Array.from({ length: 100 }, (_, i) => ({ token: `r-${i}` })),
    );
    assert.equal(outcomes.filter((o) => o.ok).length, 100);
    // One refresh for the whole burst of 401s.
    assert.equal(local.metadata.tokenRequests.length, 2);
  });

  it('when FCM keeps answering 401, then the outcome is AUTH_ERROR after one replay', async () => {
    // A server that refuses every bearer token.
    const refusing = await startFcmServer({ isTokenValid: () => false });
    const refused = createFcmSender({
      projectId: LOCAL_PROJECT_ID,
      endpoint: refusing.url,
      tokenProvider: local.newTokenProvider(),
    });
    try {
      const outcome = await refused.send({ token: 'x' });
      assert.ok(!outcome.ok);
      assert.equal(outcome.error.code, 'AUTH_ERROR');
      assert.equal(outcome.error.httpStatus, 401);
      assert.equal(refusing.requestCount, 2);
      assert.equal(local.metadata.tokenRequests.length, 2);
      assert.equal(classifyFcmError(outcome.error).kind, 'retry');
    } finally {
      await refused.close();
      await refusing.close();
    }
  });

  it('when the metadata server refuses the token, then the send is a clear AUTH_ERROR and nothing reaches FCM', async () => {
    local.metadata.failNextTokenRequests(1, 403);
    const send = senderWith(local.newTokenProvider());
    const outcome = await send.send({ token: 'device' });
    assert.ok(!outcome.ok);
    assert.equal(outcome.error.code, 'AUTH_ERROR');
    assert.match(
      outcome.error.message,
      /^Could not get an FCM access token: A Forbidden error was returned/,
    );
    assert.equal(classifyFcmError(outcome.error).kind, 'retry');
    assert.equal(local.fcm.requestCount, 0);

    // The next send fetches again and succeeds.
    assert.equal((await send.send({ token: 'device' })).ok, true);
    assert.equal(local.metadata.tokenRequests.length, 2);
  });

  it('when the token lives only 2 minutes, then it is refreshed at half its life', async () => {
    local.metadata.setTokenLifetimeSeconds(120);
    let clock = Date.now();
    const send = senderWith(local.newTokenProvider({ now: () => clock }));
    await send.send({ token: 'a' });
    clock += 50_000;
    await send.send({ token: 'b' });
    assert.equal(local.metadata.tokenRequests.length, 1);
    clock += 15_000;
    await send.send({ token: 'c' });
    await local.metadata.waitForTokenRequests(2);
    assert.equal(local.metadata.tokenRequests.length, 2);
  });
});

describe('FCM credentials: quota project and bounded token fetches', () => {
  const local = useLocalGooglePerTest();
  const senderWith = (tokenProvider: AccessTokenProvider, timeoutMs = 10_000) =>
    local.senderWith(tokenProvider, { timeoutMs });

  it('when ADC are user credentials with a quota project, then FCM is told it in x-goog-user-project', async () => {
    const send = senderWith(
      local.newUserCredentialsProvider({ quotaProjectId: 'billing-project' }),
    );
    const outcome = await send.send({ token: 'device', notification: { title: 'T' } });
    assert.equal(outcome.ok, true, JSON.stringify(outcome));
    assert.equal(local.fcm.accepted.at(-1)!.userProject, 'billing-project');
    assert.equal(local.metadata.requestsByPath.get('/token'), 1, 'refreshed at the OAuth endpoint');
  });

  it('when user credentials name no quota project, then the project sent to is the quota project', async () => {
    const send = senderWith(local.newUserCredentialsProvider());
    assert.equal((await send.send({ token: 'device' })).ok, true);
    assert.equal(local.fcm.accepted.at(-1)!.userProject, LOCAL_PROJECT_ID);
  });

  it('when the credentials are a service account (metadata server), then no quota project is sent', async () => {
    const send = senderWith(local.newTokenProvider());
    assert.equal((await send.send({ token: 'device' })).ok, true);
    assert.equal(local.fcm.accepted.at(-1)!.userProject, undefined);
  });

  it('when the metadata server hangs, then the send fails as AUTH_ERROR within the request timeout and later sends recover', async () => {
    local.metadata.hangNextTokenRequests(1);
    const send = senderWith(local.newTokenProvider({ fetchTimeoutMs: 60_000 }), 300);
    const outcome = await send.send({ token: 'device' });
    assert.ok(!outcome.ok);
    assert.equal(outcome.error.code, 'AUTH_ERROR');
    assert.match(outcome.error.message, /within 300 ms/);
    assert.equal(classifyFcmError(outcome.error).kind, 'retry');
    assert.equal(local.fcm.requestCount, 0);
  });

  it('when the metadata server hangs, then every token wait of the provider ends after fetchTimeoutMs', async () => {
    local.metadata.hangNextTokenRequests(1);
    const provider = local.newTokenProvider({ fetchTimeoutMs: 300 });
    await assert.rejects(provider.getToken(), /took longer than 300 ms/);
    // google-auth-library joins the still-hung refresh; the bound still holds for the next wait.
    await assert.rejects(provider.getToken(), /took longer than 300 ms/);
  });
});

function bearerOf(push: AcceptedPush): string {
  return push.bearer;
}
