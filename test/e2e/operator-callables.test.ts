/**
 * The operator console's callables through the Functions and Auth emulators, called with the
 * Firebase JS SDK as the console page calls them: the operator claim is set with the Admin SDK in
 * the Auth emulator (as `fcm-push operator grant` does) and picked up by refreshing the ID token.
 */
import { after, before, beforeEach, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { deleteApp, initializeApp, type App } from 'firebase-admin/app';
import { getAuth, type Auth } from 'firebase-admin/auth';
import { FieldValue } from 'firebase-admin/firestore';
import { createStores } from '../../functions/src/adapters/stores';
import { OPERATOR_CLAIM_REQUIRED } from '../../functions/src/core/operator';
import { tokenIdOf } from '../../functions/src/core/token-id';
import { acceptPushRequest } from '../../functions/src/use-cases/outbox';
import { localEnv } from '../../tools/local-env/local-env';
import { clientApp, type ClientApp } from '../../tools/local-stack/client-app';
import { eventually } from '../../tools/support/eventually';
import { callError } from '../support/call-error';
import { useE2eWorld } from './e2e-world';

interface ActionRes {
  id: string;
  kind: 'push' | 'notification';
  from: string;
}

describe('operator callables (Functions + Auth emulators, Firebase JS SDK)', () => {
  const world = useE2eWorld();
  let admin: App;
  let adminAuth: Auth;
  let console_: ClientApp;
  let user: ClientApp;
  let operatorUid: string;
  let userUid: string;
  const PHONE = 'e2e-operator-phone:APA91bPhoneTokenValue0001';
  const TABLET = 'e2e-operator-tablet:APA91bTabletTokenValue002';

  before(async () => {
    const env = localEnv();
    process.env.FIREBASE_AUTH_EMULATOR_HOST ??= env.auth.address;
    admin = initializeApp({ projectId: env.projectId }, `operator-e2e-${process.pid}`);
    adminAuth = getAuth(admin);
    console_ = clientApp();
    user = clientApp();
    operatorUid = await console_.signIn();
    userUid = await user.signIn();
    await adminAuth.setCustomUserClaims(operatorUid, { role: 'support', operator: true });
    // A grant applies once the ID token is refreshed.
    await console_.auth.currentUser!.getIdToken(true);
  });
  beforeEach(async () => {
    await world.fs.reset();
    world.google.fcm.accepted.length = 0;
    world.google.fcm.validated.length = 0;
    world.google.fcm.invalidTokens.clear();
  });
  after(async () => {
    await Promise.all([console_.close(), user.close()]);
    await deleteApp(admin);
  });

  const call = <Res>(app: ClientApp, name: string, data: unknown) =>
    app.callable<unknown, Res>(name)(data);

  /** A push queued through the outbox path (as the trigger would), answered by id. */
  async function queuedPush(token: string, over: Record<string, unknown> = {}): Promise<string> {
    const stores = createStores(world.fs.db);
    const out = await acceptPushRequest(
      stores,
      { to: { token }, title: 'Queued', ...over },
      { path: `pushRequests/${token}`, createTimeMs: Date.now(), nowMs: Date.now() },
    );
    assert.equal(out.status, 'accepted');
    return out.status === 'accepted' ? out.queued.pushIds[0]! : '';
  }
  const push = async (id: string) => (await world.fs.db.collection('pushes').doc(id).get()).data()!;

  for (const name of [
    'operatorRetry',
    'operatorCancel',
    'operatorUserDevices',
    'operatorTestSend',
  ]) {
    it(`when a signed-in non-operator calls ${name}, then permission-denied says how to get the claim`, async () => {
      const err = await callError(call(user, name, { id: 'x', uid: 'x' }));
      assert.equal(err.code, 'functions/permission-denied');
      // The JS SDK adds the HTTP status to the server's message: "… [403]".
      assert.equal(err.message, `${OPERATOR_CLAIM_REQUIRED} [403]`);
    });
  }

  it('when the caller is signed out, then the call is unauthenticated', async () => {
    const anonymous = clientApp();
    try {
      const err = await callError(call(anonymous, 'operatorRetry', { id: 'x' }));
      assert.equal(err.code, 'functions/unauthenticated');
    } finally {
      await anonymous.close();
    }
  });

  it('when an operator retries a failed push, then it is due again and its history says who', async () => {
    const id = await queuedPush('e2e-failed-token');
    await world.fs.db
      .collection('pushes')
      .doc(id)
      .update({
        status: 'failed',
        attempts: 3,
        result: { code: 'INTERNAL', message: 'boom' },
        nextAttemptAt: FieldValue.delete(),
      });
    const res = await call<ActionRes>(console_, 'operatorRetry', { id });
    assert.deepEqual(res.data, { id, kind: 'push', from: 'failed' });
    const d = await push(id);
    assert.equal(d.status, 'pending');
    assert.equal(d.attempts, 0);
    const last = d.history[d.history.length - 1];
    assert.equal(last.event, 'retried');
    assert.equal(last.by, operatorUid);
    // Retrying it again is refused with the CLI's message.
    const err = await callError(call(console_, 'operatorRetry', { id }));
    assert.equal(err.code, 'functions/failed-precondition');
    assert.match(err.message, /is pending .*only failed, rejected, expired pushes can be retried/);
  });

  it('when an operator cancels a pending push, then it ends cancelled with the operator in its history', async () => {
    const id = await queuedPush('e2e-later-token', { reservedAt: '2099-01-01T00:00:00Z' });
    const res = await call<ActionRes>(console_, 'operatorCancel', { id });
    assert.deepEqual(res.data, { id, kind: 'push', from: 'pending' });
    const d = await push(id);
    assert.equal(d.status, 'cancelled');
    assert.equal(d.result.code, 'CANCELLED');
    const last = d.history[d.history.length - 1];
    assert.deepEqual({ event: last.event, by: last.by }, { event: 'cancelled', by: operatorUid });
    const again = await callError(call(console_, 'operatorCancel', { id }));
    assert.equal(again.code, 'functions/failed-precondition');
    const missing = await callError(call(console_, 'operatorCancel', { id: 'no-such-id' }));
    assert.equal(missing.code, 'functions/not-found');
  });

  it('when an operator sends bad input, then invalid-argument names the field', async () => {
    const cases: Array<[string, unknown, string]> = [
      ['operatorRetry', {}, 'id'],
      ['operatorCancel', { id: 'a/b' }, 'id'],
      ['operatorRetry', { id: 'x', extra: 1 }, 'extra'],
      ['operatorUserDevices', { uid: 42 }, 'uid'],
      ['operatorTestSend', { to: { uid: 'u' }, title: 'x' }, 'validateOnly'],
      ['operatorTestSend', { to: { topic: 'news' }, title: 'x', validateOnly: true }, 'to'],
      ['operatorTestSend', { to: { uid: 'u' }, validateOnly: true }, 'title'],
    ];
    for (const [name, data, field] of cases) {
      const err = await callError(call(console_, name, data));
      assert.equal(err.code, 'functions/invalid-argument', `${name} ${JSON.stringify(data)}`);
      assert.equal((err.details as { field: string }).field.split('.')[0], field, err.message);
    }
  });

  it("when an operator lists a user's devices, then tokens come back shortened, never whole", async () => {
    await call(user, 'registerToken', {
      token: PHONE,
      platform: 'android',
      locale: 'ko-KR',
      timezone: 'Asia/Seoul',
      appVersion: '2.1.0',
    });
    await call(user, 'registerToken', { token: TABLET, platform: 'ios' });
    const res = await call<{ uid: string; devices: Array<Record<string, unknown>> }>(
      console_,
      'operatorUserDevices',
      { uid: userUid },
    );
    const text = JSON.stringify(res.data);
    for (const token of [PHONE, TABLET]) {
      assert.ok(!text.includes(token), 'a full token reached the console');
      assert.ok(!text.includes(tokenIdOf(token)), 'a full token id reached the console');
    }
    assert.equal(res.data.uid, userUid);
    const phone = res.data.devices.find((d) => d.platform === 'android')!;
    assert.deepEqual(
      { ...phone, createdAt: typeof phone.createdAt, updatedAt: typeof phone.updatedAt },
      {
        tokenId: tokenIdOf(PHONE).slice(0, 12),
        token: `${PHONE.slice(0, 6)}…${PHONE.slice(-4)}`,
        platform: 'android',
        locale: 'ko-KR',
        timezone: 'Asia/Seoul',
        appVersion: '2.1.0',
        createdAt: 'number',
        updatedAt: 'number',
      },
    );
    assert.equal(res.data.devices.length, 2);
    const none = await call<{ devices: unknown[] }>(console_, 'operatorUserDevices', {
      uid: 'nobody-here',
    });
    assert.deepEqual(none.data.devices, []);
  });

  it('when an operator test-sends with validateOnly, then FCM validates each device and nothing is written; then a real send reaches FCM through the queue', async () => {
    await call(user, 'registerToken', { token: PHONE, platform: 'android' });
    world.google.fcm.invalidTokens.add(TABLET);
    const checked = await call<{
      validateOnly: true;
      devices: Array<{ tokenId: string; token: string; ok: boolean; code?: string }>;
    }>(console_, 'operatorTestSend', {
      to: { uid: userUid },
      title: 'Test from the console',
      content: 'Hello',
      validateOnly: true,
    });
    assert.equal(checked.data.validateOnly, true);
    assert.deepEqual(checked.data.devices, [
      {
        tokenId: tokenIdOf(PHONE).slice(0, 12),
        token: `${PHONE.slice(0, 6)}…${PHONE.slice(-4)}`,
        ok: true,
      },
    ]);
    assert.equal(world.google.fcm.validated.length, 1);
    assert.equal(world.google.fcm.accepted.length, 0, 'validate_only delivers nothing');
    assert.equal((await world.fs.db.collection('notifications').get()).size, 0);
    assert.equal((await world.fs.db.collection('pushes').get()).size, 0);

    const bad = await call<{ devices: Array<{ ok: boolean; code?: string; message?: string }> }>(
      console_,
      'operatorTestSend',
      { to: { token: TABLET }, title: 'x', validateOnly: true },
    );
    assert.equal(bad.data.devices[0]!.ok, false);
    assert.equal(bad.data.devices[0]!.code, 'INVALID_ARGUMENT');
    assert.ok(!JSON.stringify(bad.data).includes(TABLET), 'a full token reached the console');

    const sent = await call<{ validateOnly: false; id: string; kind: string }>(
      console_,
      'operatorTestSend',
      { to: { uid: userUid }, title: 'Test from the console', validateOnly: false },
    );
    assert.equal(sent.data.kind, 'notification');
    const [arrived] = await eventually(
      () => (world.google.fcm.accepted.length ? world.google.fcm.accepted : undefined),
      60_000,
      'the test push at the FCM server',
    );
    assert.equal((arrived!.message as { token?: string }).token, PHONE);
    const n = (await world.fs.db.collection('notifications').doc(sent.data.id).get()).data()!;
    assert.equal(n.uid, userUid);
    assert.deepEqual(n.source.check, 'operatorTestSend');
    assert.equal(n.source.path, `operators/${operatorUid}`);
    assert.deepEqual(
      { event: n.history[0].event, by: n.history[0].by },
      { event: 'queued', by: operatorUid },
    );
    const delivery = await eventually(
      async () => {
        const d = await push(n.deliveryIds?.[0] ?? 'none').catch(() => undefined);
        return d?.status === 'sent' ? d : undefined;
      },
      30_000,
      'the delivery written as sent',
    );
    assert.equal(delivery.notificationId, sent.data.id);
  });

  it('when an operator test-sends to a token for real, then a push is queued and sent', async () => {
    const sent = await call<{ validateOnly: false; id: string; kind: string }>(
      console_,
      'operatorTestSend',
      { to: { token: TABLET }, content: 'Body only', validateOnly: false },
    );
    assert.equal(sent.data.kind, 'push');
    const d = await eventually(
      async () => {
        const p = (await world.fs.db.collection('pushes').doc(sent.data.id).get()).data();
        return p?.status === 'sent' ? p : undefined;
      },
      60_000,
      'the test push sent',
    );
    assert.equal(d.history[0].by, operatorUid);
    assert.equal(world.google.fcm.accepted.length, 1);
  });
});
