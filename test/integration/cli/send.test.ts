/** `fcm-push send`: test pushes straight through our FCM client to the local FCM v1 server. */
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { tokenForLog, tokenIdOf } from '../../../functions/src/core/token-id';
import { jsonOf, useCliWorld } from './cli-world';
import { LOCAL_PROJECT_ID } from '../../../tools/local-env/local-env';

interface SendJson {
  dryRun: boolean;
  sent: number;
  failed: number;
  results: Array<{
    target: { token?: string; topic?: string };
    platform?: string;
    pushId: string;
    ok: boolean;
    messageId?: string;
    error?: { code: string };
  }>;
}

describe('fcm-push send', () => {
  const world = useCliWorld();

  const send = (...args: string[]) => world.cli(['send', ...args, ...world.localFlags()]);

  it('when sending to a token, then FCM receives the notification and data, and only the token hash is printed', async () => {
    const token = 'device-token-for-send-1';
    const run = await send(
      '--token',
      token,
      '--title',
      'Hello',
      '--body',
      'World',
      '--data',
      'k=v=w',
      '--data',
      'screen=home',
      '--json',
    );
    assert.equal(run.code, 0, run.stderr);
    const out = jsonOf<SendJson>(run);
    assert.equal(out.sent, 1);
    assert.deepEqual(out.results[0]!.target, { token: tokenForLog(token) });
    assert.ok(!run.stdout.includes(token) && !run.stderr.includes(token), 'raw token printed');

    assert.equal(world.fcm.accepted.length, 1);
    const received = world.fcm.accepted[0]!;
    assert.equal(received.name, out.results[0]!.messageId);
    assert.equal(received.message.token, token);
    assert.deepEqual(received.message.notification, { title: 'Hello', body: 'World' });
    assert.deepEqual(received.message.data, {
      k: 'v=w',
      screen: 'home',
      push_id: out.results[0]!.pushId,
    });
    // The CLI's local token path: the FCM server accepted a token the metadata server issued.
    assert.ok(world.metadata.isIssued(received.bearer));
  });

  it('when sending to a topic, then the message goes to the topic', async () => {
    const run = await send('--topic', 'news', '--body', 'Extra');
    assert.equal(run.code, 0, run.stderr);
    assert.match(
      run.stdout,
      new RegExp(`^topic news {2}sent {2}projects/${LOCAL_PROJECT_ID}/messages/`, 'm'),
    );
    assert.equal(world.fcm.accepted[0]!.message.topic, 'news');
  });

  it('when sending to a user, then every token of the user gets it and each outcome is printed', async () => {
    const register = (uid: string, token: string, platform: 'android' | 'ios') =>
      world.tokens.save(uid, tokenIdOf(token), { token, platform }, 10);
    await register('alice', 'alice-phone', 'android');
    await register('alice', 'alice-tablet', 'ios');
    await register('bob', 'bob-phone', 'android');
    world.fcm.unregistered.add('alice-tablet');

    const run = await send('--user', 'alice', '--title', 'Hi', '--json');
    assert.equal(run.code, 1, 'one target failed');
    const out = jsonOf<SendJson>(run);
    const byHash = new Map(out.results.map((r) => [r.target.token, r]));
    assert.equal(out.results.length, 2);
    assert.equal(byHash.get(tokenForLog('alice-phone'))!.ok, true);
    assert.equal(byHash.get(tokenForLog('alice-phone'))!.platform, 'android');
    assert.equal(byHash.get(tokenForLog('alice-tablet'))!.error!.code, 'UNREGISTERED');
    assert.deepEqual(
      world.fcm.accepted.map((a) => a.message.token),
      ['alice-phone'],
    );
    assert.match(run.stderr, /sending 2 messages/);
  });

  it('when --dry-run, then FCM validates the message and delivers nothing', async () => {
    const run = await send('--token', 'dry-token', '--title', 'Check', '--dry-run');
    assert.equal(run.code, 0, run.stderr);
    assert.equal(world.fcm.accepted.length, 0);
    assert.equal(world.fcm.validated.length, 1);
    assert.equal(world.fcm.validated[0]!.validateOnly, true);
    assert.match(run.stdout, /1 valid \(dry run, not delivered\), 0 failed/);
  });

  it('when the data uses a reserved key, then it is a usage error and nothing is sent', async () => {
    const run = await send('--token', 't', '--title', 'x', '--data', 'from=me');
    assert.equal(run.code, 2);
    assert.match(run.stderr, /message\.data\.from/);
    assert.equal(world.fcm.requestCount, 0);
  });

  it('when the target is missing or doubled, then it is a usage error', async () => {
    assert.equal((await send('--title', 'x')).code, 2);
    const both = await send('--token', 't', '--topic', 'n', '--title', 'x');
    assert.equal(both.code, 2);
    assert.match(both.stderr, /exactly one of --token, --user, --topic/);
    assert.equal((await send('--token', 't')).code, 2, 'no title, body or data');
    assert.equal((await send('--token', 't', '--data', 'novalue')).code, 2);
    assert.equal(world.fcm.requestCount, 0);
  });

  it('when the user has no tokens, then it fails with exit 1 and sends nothing', async () => {
    const run = await send('--user', 'nobody', '--title', 'x');
    assert.equal(run.code, 1);
    assert.match(run.stderr, /user nobody has no registered tokens/);
    assert.equal(world.fcm.requestCount, 0);
  });

  it('when no metadata server answers, then the send fails with AUTH_ERROR and says where it looked', async () => {
    const run = await world.cli([
      'send',
      '--topic',
      'news',
      '--title',
      'x',
      '--fcm-endpoint',
      world.fcm.url,
      '--metadata-host',
      '127.0.0.1:1',
    ]);
    assert.equal(run.code, 1);
    assert.match(run.stdout, /AUTH_ERROR: .*no local metadata server at 127\.0\.0\.1:1/);
    assert.equal(world.fcm.requestCount, 0);
  });
});
