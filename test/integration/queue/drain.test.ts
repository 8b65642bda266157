/**
 * The drain against the Firestore emulator and the local FCM v1 server: due selection, exclusive
 * claims under racing drains, crash recovery by lease, each FCM failure class, expiry.
 */
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { deliverNow } from '../../../functions/src/use-cases/deliver-pushes';
import { drainDuePushes } from '../../../functions/src/use-cases/drain-pushes';
import { useQueueWorld } from '../../support/queue-world';
import { LOCAL_PROJECT_ID } from '../../../tools/local-env/local-env';

describe('drainDuePushes (Firestore emulator + local FCM v1 server)', () => {
  const world = useQueueWorld({
    fcm: { timeoutMs: 500 },
    startMs: Date.parse('2030-01-01T00:00:00Z'),
  });
  const { clock } = world;

  /** Queues pushes to tokens through the outbox path; returns their ids. */
  async function queue(
    count: number,
    over: Record<string, unknown> = {},
    tokenPrefix = 'tok',
  ): Promise<string[]> {
    const ids: string[] = [];
    for (let i = 0; i < count; i++) {
      const request = { to: { token: `${tokenPrefix}-${i}` }, title: `t${i}`, ...over };
      ids.push(...(await world.accept(request, `${tokenPrefix}-${i}`)).pushIds);
    }
    return ids;
  }
  const doc = (id: string) => world.data('pushes', id);

  it('when pushes are due, then each is sent once and its result written back', async () => {
    const ids = await queue(5);
    const report = await world.drain();
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
    assert.deepEqual([...world.fcm.acceptedByPushId().values()], [1, 1, 1, 1, 1]);
  });

  it('when a push is reserved for later, then it waits until its time', async () => {
    const [id] = await queue(1, { reservedAt: clock.now() + 3_600_000 });
    assert.equal((await world.drain()).sent, 0);
    assert.equal(world.fcm.server.accepted.length, 0);
    clock.advance(3_600_000);
    assert.equal((await world.drain()).sent, 1);
    assert.equal((await doc(id)).status, 'sent');
  });

  it('when two drains race over the same pushes, then every push is sent exactly once', async () => {
    const ids = await queue(120);
    world.fcm.server.setRttMs(5);
    const [a, b, c] = await Promise.all([
      world.drain({ batchSize: 40 }),
      world.drain({ batchSize: 40 }),
      world.drain({ batchSize: 25 }),
    ]);
    world.fcm.server.setRttMs(0);
    assert.equal(a.sent + b.sent + c.sent, 120);
    const counts = world.fcm.acceptedByPushId();
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
    const { claimed } = await world.claimDue('crashed');
    assert.equal(claimed.length, 1);
    assert.equal((await doc(id)).status, 'sending');
    assert.equal((await world.drain()).sent, 0, 'leased: not due yet');
    clock.advance(60_001);
    const report = await world.drain();
    assert.equal(report.sent, 1);
    const d = await doc(id);
    assert.equal(d.status, 'sent');
    assert.equal(d.attempts, 2, 'the crashed claim counts as an attempt');
    assert.equal(world.fcm.acceptedByPushId().get(id), 1);
  });

  it('when a lease was taken over, then the late run cannot overwrite the new owner', async () => {
    const [id] = await queue(1);
    const { claimed: first } = await world.claimDue('slow', 1_000);
    clock.advance(1_001);
    const { claimed: second } = await world.claimDue('fresh');
    assert.equal(second.length, 1);
    const { lostLease } = await world.deps.pushes.writeResults([
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
    world.fcm.server.rules.forToken(
      'busy-0',
      { kind: 'error', code: 'UNAVAILABLE', retryAfter: 120 },
      1,
    );
    const first = await world.drain();
    assert.equal(first.retried, 1);
    const d = await world.assertResult('pushes', id, 'pending', 'UNAVAILABLE');
    assert.equal(d.result.httpStatus, 503);
    assert.ok(d.nextAttemptAt.toMillis() >= clock.now() + 120_000);
    clock.advance(119_000);
    assert.equal((await world.drain()).sent, 0);
    clock.advance(60_000);
    assert.equal((await world.drain()).sent, 1);
    assert.equal((await doc(id)).attempts, 2);
  });

  it('when FCM answers 429 QUOTA_EXCEEDED, then the retry waits at least a minute', async () => {
    const [id] = await queue(1, {}, 'quota');
    world.fcm.server.rules.forToken('quota-0', { kind: 'error', code: 'QUOTA_EXCEEDED' }, 1);
    await world.drain();
    assert.ok((await doc(id)).nextAttemptAt.toMillis() >= clock.now() + 60_000);
  });

  it('when a transient failure repeats past max attempts, then the push ends failed', async () => {
    const [id] = await queue(1, {}, 'down');
    world.fcm.server.rules.forToken('down-0', { kind: 'error', code: 'INTERNAL' });
    for (let i = 0; i < 3; i++) {
      await world.drain();
      clock.advance(3_600_000);
    }
    const d = await doc(id);
    assert.equal(d.status, 'failed');
    assert.equal(d.attempts, 3);
    assert.equal(d.isSent, false);
    assert.equal(d.nextAttemptAt, undefined);
    assert.equal((await world.drain()).claimed, 0);
  });

  it('when the answer times out or the connection drops, then the push is retried, not lost', async () => {
    const ids = await queue(2, {}, 'flaky');
    world.fcm.server.rules.forToken('flaky-0', { kind: 'hang' }, 1);
    world.fcm.server.rules.forToken('flaky-1', { kind: 'drop' }, 1);
    const report = await world.drain();
    assert.equal(report.retried, 2);
    for (const id of ids) assert.match((await doc(id)).result.code, /TIMEOUT|NETWORK_ERROR/);
    clock.advance(3_600_000);
    assert.equal((await world.drain()).sent, 2);
  });

  it('when FCM says UNREGISTERED, then the token document is deleted and the push rejected', async () => {
    await world.device('dave', 'dead-0');
    const [id] = await queue(1, {}, 'dead');
    world.fcm.server.unregistered.add('dead-0');
    const report = await world.drain();
    assert.equal(report.tokensDeleted, 1);
    const d = await world.assertResult('pushes', id, 'rejected', 'UNREGISTERED');
    assert.equal(d.result.httpStatus, 404);
    assert.equal(await world.hasToken('dead-0'), false);
  });

  it('when FCM says the token is invalid (INVALID_ARGUMENT about the token), then the token is deleted', async () => {
    await world.device('erin', 'bogus-0', { platform: 'ios' });
    const [id] = await queue(1, {}, 'bogus');
    world.fcm.server.invalidTokens.add('bogus-0');
    await world.drain();
    assert.equal((await doc(id)).status, 'rejected');
    assert.equal(await world.hasToken('bogus-0'), false);
  });

  it('when FCM rejects for good (SENDER_ID_MISMATCH), then the push is rejected and the token kept', async () => {
    await world.device('fay', 'other-0', { platform: 'ios' });
    const [id] = await queue(1, {}, 'other');
    world.fcm.server.rules.forToken('other-0', { kind: 'error', code: 'SENDER_ID_MISMATCH' });
    await world.drain();
    await world.assertResult('pushes', id, 'rejected', 'SENDER_ID_MISMATCH');
    assert.equal(await world.hasToken('other-0'), true);
  });

  it('when a push is past expiresAt, then it ends expired and is never sent', async () => {
    const [id] = await queue(1, { reservedAt: clock.now() + 1000, expiresAt: clock.now() + 2000 });
    clock.advance(5_000);
    const report = await world.drain();
    assert.equal(report.expired, 1);
    assert.equal((await doc(id)).status, 'expired');
    assert.equal(world.fcm.server.accepted.length, 0);
  });

  it('when the time budget is spent, then the run stops and the next run continues', async () => {
    await queue(30);
    const ticking = { ...world.deps, now: () => clock.now() + ticks++ * 1000 };
    let ticks = 0;
    const first = await drainDuePushes(
      ticking,
      world.settings({ batchSize: 10, timeBudgetMs: 2_500 }),
    );
    assert.equal(first.stoppedBy, 'budget');
    assert.ok(first.sent > 0 && first.sent < 30, String(first.sent));
    const rest = await world.drain({ batchSize: 10 });
    assert.equal(first.sent + rest.sent, 30);
  });

  it('when a push is delivered immediately from the check path, then a racing drain does not send it again', async () => {
    const ids = await queue(20);
    const [now, drained] = await Promise.all([
      deliverNow(world.deps, ids, {
        leaseMs: 60_000,
        leaseSafetyMs: 5_000,
        maxAttempts: 3,
        backoffBaseMs: 1000,
        runId: 'event',
      }),
      world.drain(),
    ]);
    assert.equal(now.sent + drained.sent, 20);
    assert.ok([...world.fcm.acceptedByPushId().values()].every((v) => v === 1));
  });
});
