/**
 * The drain against the Firestore emulator and the local FCM v1 server: due selection, exclusive
 * claims under racing drains, crash recovery by lease, each FCM failure class, expiry.
 */
import { after, afterEach, before, beforeEach, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { createStores } from '../../../functions/src/adapters/stores';
import { tokenIdOf } from '../../../functions/src/core/token-id';
import { acceptPushRequest } from '../../../functions/src/use-cases/outbox';
import { deliverNow } from '../../../functions/src/use-cases/deliver-pushes';
import {
  drainDuePushes,
  type DrainDeps,
  type DrainSettings,
} from '../../../functions/src/use-cases/drain-pushes';
import { connectTestFirestore, type TestFirestore } from '../../support/emulated-firestore';
import { startLocalFcm, type LocalFcm } from '../../../tools/local-google/local-fcm';
import { manualClock } from '../../support/manual-clock';
import { LOCAL_PROJECT_ID } from '../../../tools/local-env/local-env';

describe('drainDuePushes (Firestore emulator + local FCM v1 server)', () => {
  let fs: TestFirestore;
  let fcm: LocalFcm;
  let clock: ReturnType<typeof manualClock>;
  let deps: DrainDeps & ReturnType<typeof createStores>;
  let n = 0;
  const settings = (over: Partial<DrainSettings> = {}): DrainSettings => ({
    batchSize: 50,
    timeBudgetMs: 60_000,
    leaseMs: 60_000,
    leaseSafetyMs: 5_000,
    maxAttempts: 3,
    backoffBaseMs: 10_000,
    runId: `run-${n++}`,
    ...over,
  });

  before(async () => {
    fs = connectTestFirestore();
    fcm = await startLocalFcm({ timeoutMs: 500 });
  });
  beforeEach(async () => {
    await fs.reset();
    fcm.server.rules.clear();
    fcm.server.accepted.length = 0;
    fcm.server.unregistered.clear();
    clock = manualClock(Date.parse('2030-01-01T00:00:00Z'));
    deps = { ...createStores(fs.db), sender: fcm.sender, now: clock.now, random: () => 0.5 };
  });
  afterEach(() => fcm.server.rules.clear());
  after(async () => {
    await fcm.close();
    await fs.close();
  });

  /** Queues pushes to tokens through the outbox path; returns their ids. */
  async function queue(
    count: number,
    over: Record<string, unknown> = {},
    tokenPrefix = 'tok',
  ): Promise<string[]> {
    const ids: string[] = [];
    for (let i = 0; i < count; i++) {
      const out = await acceptPushRequest(
        deps,
        { to: { token: `${tokenPrefix}-${i}` }, title: `t${i}`, ...over },
        { path: `pushRequests/${tokenPrefix}-${i}`, createTimeMs: clock.now(), nowMs: clock.now() },
      );
      assert.equal(out.status, 'accepted', JSON.stringify(out));
      if (out.status === 'accepted') ids.push(...out.queued.pushIds);
    }
    return ids;
  }
  const doc = async (id: string) => (await fs.db.collection('pushes').doc(id).get()).data()!;

  it('when pushes are due, then each is sent once and its result written back', async () => {
    const ids = await queue(5);
    const report = await drainDuePushes(deps, settings());
    assert.equal(report.sent, 5);
    assert.equal(report.stoppedBy, 'empty');
    for (const id of ids) {
      const d = await doc(id);
      assert.equal(d.status, 'sent');
      assert.equal(d.isSent, true);
      assert.match(d.result.messageId, new RegExp(`^projects/${LOCAL_PROJECT_ID}/messages/`));
      assert.equal(d.sentAt.toMillis(), clock.now());
      assert.equal(d.attempts, 1);
      assert.equal(d.nextAttemptAt, undefined);
      assert.equal(d.leaseUntil, undefined);
    }
    assert.deepEqual([...fcm.acceptedByPushId().values()], [1, 1, 1, 1, 1]);
  });

  it('when a push is reserved for later, then it waits until its time', async () => {
    const [id] = await queue(1, { reservedAt: clock.now() + 3_600_000 });
    assert.equal((await drainDuePushes(deps, settings())).sent, 0);
    assert.equal(fcm.server.accepted.length, 0);
    clock.advance(3_600_000);
    assert.equal((await drainDuePushes(deps, settings())).sent, 1);
    assert.equal((await doc(id)).status, 'sent');
  });

  it('when two drains race over the same pushes, then every push is sent exactly once', async () => {
    const ids = await queue(120);
    fcm.server.setRttMs(5);
    const [a, b, c] = await Promise.all([
      drainDuePushes(deps, settings({ batchSize: 40 })),
      drainDuePushes(deps, settings({ batchSize: 40 })),
      drainDuePushes(deps, settings({ batchSize: 25 })),
    ]);
    fcm.server.setRttMs(0);
    assert.equal(a.sent + b.sent + c.sent, 120);
    const counts = fcm.acceptedByPushId();
    assert.equal(counts.size, 120);
    assert.ok(
      [...counts.values()].every((v) => v === 1),
      'a push was sent twice',
    );
    for (const id of ids) assert.equal((await doc(id)).status, 'sent');
  });

  it('when a run crashes between claim and send, then the push is sent once after the lease expires', async () => {
    const [id] = await queue(1);
    // The crashed run: it claimed (committed) and then died before sending.
    const { claimed } = await deps.pushes.claim(await deps.pushes.findDue(clock.now(), 10), {
      nowMs: clock.now(),
      leaseMs: 60_000,
      runId: 'crashed',
    });
    assert.equal(claimed.length, 1);
    assert.equal((await doc(id)).status, 'sending');
    assert.equal((await drainDuePushes(deps, settings())).sent, 0, 'leased: not due yet');
    clock.advance(60_001);
    const report = await drainDuePushes(deps, settings());
    assert.equal(report.sent, 1);
    const d = await doc(id);
    assert.equal(d.status, 'sent');
    assert.equal(d.attempts, 2, 'the crashed claim counts as an attempt');
    assert.equal(fcm.acceptedByPushId().get(id), 1);
  });

  it('when a lease was taken over, then the late run cannot overwrite the new owner', async () => {
    const [id] = await queue(1);
    const { claimed: first } = await deps.pushes.claim(await deps.pushes.findDue(clock.now(), 10), {
      nowMs: clock.now(),
      leaseMs: 1_000,
      runId: 'slow',
    });
    clock.advance(1_001);
    const { claimed: second } = await deps.pushes.claim(
      await deps.pushes.findDue(clock.now(), 10),
      { nowMs: clock.now(), leaseMs: 60_000, runId: 'fresh' },
    );
    assert.equal(second.length, 1);
    const { lostLease } = await deps.pushes.writeResults([
      {
        claimed: first[0],
        update: { status: 'failed', isSent: false, result: { code: 'X' }, dropToken: false },
        nowMs: clock.now(),
      },
    ]);
    assert.deepEqual(lostLease, [id]);
    assert.equal((await doc(id)).status, 'sending');
  });

  it('when FCM answers 503 with Retry-After, then the push is retried no sooner than asked, then sent', async () => {
    const [id] = await queue(1, {}, 'busy');
    fcm.server.rules.forToken('busy-0', { kind: 'error', code: 'UNAVAILABLE', retryAfter: 120 }, 1);
    const first = await drainDuePushes(deps, settings());
    assert.equal(first.retried, 1);
    const d = await doc(id);
    assert.equal(d.status, 'pending');
    assert.equal(d.result.code, 'UNAVAILABLE');
    assert.equal(d.result.httpStatus, 503);
    assert.ok(d.nextAttemptAt.toMillis() >= clock.now() + 120_000);
    clock.advance(119_000);
    assert.equal((await drainDuePushes(deps, settings())).sent, 0);
    clock.advance(60_000);
    assert.equal((await drainDuePushes(deps, settings())).sent, 1);
    assert.equal((await doc(id)).attempts, 2);
  });

  it('when FCM answers 429 QUOTA_EXCEEDED, then the retry waits at least a minute', async () => {
    const [id] = await queue(1, {}, 'quota');
    fcm.server.rules.forToken('quota-0', { kind: 'error', code: 'QUOTA_EXCEEDED' }, 1);
    await drainDuePushes(deps, settings());
    assert.ok((await doc(id)).nextAttemptAt.toMillis() >= clock.now() + 60_000);
  });

  it('when a transient failure repeats past max attempts, then the push ends failed', async () => {
    const [id] = await queue(1, {}, 'down');
    fcm.server.rules.forToken('down-0', { kind: 'error', code: 'INTERNAL' });
    for (let i = 0; i < 3; i++) {
      await drainDuePushes(deps, settings());
      clock.advance(3_600_000);
    }
    const d = await doc(id);
    assert.equal(d.status, 'failed');
    assert.equal(d.attempts, 3);
    assert.equal(d.isSent, false);
    assert.equal(d.nextAttemptAt, undefined);
    assert.equal((await drainDuePushes(deps, settings())).claimed, 0);
  });

  it('when the answer times out or the connection drops, then the push is retried, not lost', async () => {
    const ids = await queue(2, {}, 'flaky');
    fcm.server.rules.forToken('flaky-0', { kind: 'hang' }, 1);
    fcm.server.rules.forToken('flaky-1', { kind: 'drop' }, 1);
    const report = await drainDuePushes(deps, settings());
    assert.equal(report.retried, 2);
    for (const id of ids) assert.match((await doc(id)).result.code, /TIMEOUT|NETWORK_ERROR/);
    clock.advance(3_600_000);
    assert.equal((await drainDuePushes(deps, settings())).sent, 2);
  });

  it('when FCM says UNREGISTERED, then the token document is deleted and the push rejected', async () => {
    await deps.tokens.save(
      'dave',
      tokenIdOf('dead-0'),
      { token: 'dead-0', platform: 'android' },
      10,
    );
    const [id] = await queue(1, {}, 'dead');
    fcm.server.unregistered.add('dead-0');
    const report = await drainDuePushes(deps, settings());
    assert.equal(report.tokensDeleted, 1);
    const d = await doc(id);
    assert.equal(d.status, 'rejected');
    assert.equal(d.result.code, 'UNREGISTERED');
    assert.equal(d.result.httpStatus, 404);
    assert.equal(
      (await fs.db.collection('pushTokens').doc(tokenIdOf('dead-0')).get()).exists,
      false,
    );
  });

  it('when FCM says the token is invalid (INVALID_ARGUMENT about the token), then the token is deleted', async () => {
    await deps.tokens.save('erin', tokenIdOf('bogus-0'), { token: 'bogus-0', platform: 'ios' }, 10);
    const [id] = await queue(1, {}, 'bogus');
    fcm.server.invalidTokens.add('bogus-0');
    await drainDuePushes(deps, settings());
    assert.equal((await doc(id)).status, 'rejected');
    assert.equal(
      (await fs.db.collection('pushTokens').doc(tokenIdOf('bogus-0')).get()).exists,
      false,
    );
  });

  it('when FCM rejects for good (SENDER_ID_MISMATCH), then the push is rejected and the token kept', async () => {
    await deps.tokens.save('fay', tokenIdOf('other-0'), { token: 'other-0', platform: 'ios' }, 10);
    const [id] = await queue(1, {}, 'other');
    fcm.server.rules.forToken('other-0', { kind: 'error', code: 'SENDER_ID_MISMATCH' });
    await drainDuePushes(deps, settings());
    const d = await doc(id);
    assert.equal(d.status, 'rejected');
    assert.equal(d.result.code, 'SENDER_ID_MISMATCH');
    assert.equal(
      (await fs.db.collection('pushTokens').doc(tokenIdOf('other-0')).get()).exists,
      true,
    );
  });

  it('when a push is past expiresAt, then it ends expired and is never sent', async () => {
    const [id] = await queue(1, { reservedAt: clock.now() + 1000, expiresAt: clock.now() + 2000 });
    clock.advance(5_000);
    const report = await drainDuePushes(deps, settings());
    assert.equal(report.expired, 1);
    assert.equal((await doc(id)).status, 'expired');
    assert.equal(fcm.server.accepted.length, 0);
  });

  it('when the time budget is spent, then the run stops and the next run continues', async () => {
    await queue(30);
    const ticking = { ...deps, now: () => clock.now() + ticks++ * 1000 };
    let ticks = 0;
    const first = await drainDuePushes(ticking, settings({ batchSize: 10, timeBudgetMs: 2_500 }));
    assert.equal(first.stoppedBy, 'budget');
    assert.ok(first.sent > 0 && first.sent < 30, String(first.sent));
    const rest = await drainDuePushes(deps, settings({ batchSize: 10 }));
    assert.equal(first.sent + rest.sent, 30);
  });

  it('when a push is delivered immediately from the check path, then a racing drain does not send it again', async () => {
    const ids = await queue(20);
    const [now, drained] = await Promise.all([
      deliverNow(deps, ids, {
        leaseMs: 60_000,
        leaseSafetyMs: 5_000,
        maxAttempts: 3,
        backoffBaseMs: 1000,
        runId: 'event',
      }),
      drainDuePushes(deps, settings()),
    ]);
    assert.equal(now.sent + drained.sent, 20);
    assert.ok([...fcm.acceptedByPushId().values()].every((v) => v === 1));
  });
});
