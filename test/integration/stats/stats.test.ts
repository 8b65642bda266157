/**
 * The operator console's statistics against the Firestore emulator and the local FCM server:
 * per-minute counters written by the queue path and the drain (one write per page), the
 * dispatcher's overview, and a statistics write that fails without costing any result.
 */
import { after, before, beforeEach, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { Timestamp } from 'firebase-admin/firestore';
import { createStores } from '../../../functions/src/adapters/stores';
import {
  OVERVIEW_DOC,
  PUSH_STATS,
  PUSH_STATS_MINUTES,
  createOverviewStore,
  createStatsStore,
} from '../../../functions/src/adapters/stats-store';
import { createOperatorActions } from '../../../functions/src/adapters/operator-actions';
import { NOTIFICATION_STATUSES } from '../../../functions/src/core/notification';
import { PUSH_STATUSES } from '../../../functions/src/core/push';
import { STATS_COUNTERS, STATS_RETENTION_MS } from '../../../functions/src/core/stats';
import { tokenIdOf } from '../../../functions/src/core/token-id';
import { acceptPushRequest } from '../../../functions/src/use-cases/outbox';
import {
  drainDuePushes,
  type DrainDeps,
  type DrainSettings,
} from '../../../functions/src/use-cases/drain-pushes';
import type { StatsStore } from '../../../functions/src/use-cases/ports';
import { refreshOverview } from '../../../functions/src/use-cases/stats';
import { connectTestFirestore, type TestFirestore } from '../../support/emulated-firestore';
import { manualClock } from '../../support/manual-clock';
import { startLocalFcm, type LocalFcm } from '../../../tools/local-google/local-fcm';

const T0 = Date.parse('2030-01-01T00:00:00Z');
const MINUTE = '203001010000';

describe('console statistics (Firestore emulator + local FCM server)', () => {
  let fs: TestFirestore;
  let fcm: LocalFcm;
  let clock: ReturnType<typeof manualClock>;
  let deps: DrainDeps & ReturnType<typeof createStores>;
  /** Every add() the code made: how many statistics writes. */
  let adds: number;
  let n = 0;
  const settings = (over: Partial<DrainSettings> = {}): DrainSettings => ({
    batchSize: 50,
    timeBudgetMs: 60_000,
    leaseMs: 60_000,
    leaseSafetyMs: 5_000,
    maxAttempts: 1,
    backoffBaseMs: 10_000,
    runId: `stats-run-${n++}`,
    ...over,
  });
  const counting = (store: StatsStore): StatsStore => ({
    add: (inc, nowMs) => {
      adds++;
      return store.add(inc, nowMs);
    },
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
    clock = manualClock(T0);
    adds = 0;
    const stores = createStores(fs.db);
    deps = {
      ...stores,
      stats: counting(createStatsStore(fs.db)),
      sender: fcm.sender,
      now: clock.now,
      random: () => 0.5,
    };
  });
  after(async () => {
    await fcm.close();
    await fs.close();
  });

  async function queue(to: Record<string, string>, over: Record<string, unknown> = {}) {
    const out = await acceptPushRequest(
      deps,
      { to, title: 'Hello', ...over },
      {
        path: `pushRequests/${Object.values(to)[0]}-${n++}`,
        createTimeMs: clock.now(),
        nowMs: clock.now(),
      },
    );
    assert.equal(out.status, 'accepted', JSON.stringify(out));
    return out.status === 'accepted' ? out.queued : undefined;
  }

  /** The minute's counters summed over its shard documents, with the documents. */
  async function minuteTotals(key = MINUTE) {
    const docs = (await fs.db.collection(PUSH_STATS_MINUTES).get()).docs.filter((d) =>
      d.id.startsWith(`${key}_`),
    );
    const counts: Record<string, number> = {};
    const codes: Record<string, number> = {};
    for (const d of docs) {
      for (const c of STATS_COUNTERS) {
        const v = d.get(c) as number | undefined;
        if (v) counts[c] = (counts[c] ?? 0) + v;
      }
      for (const [code, v] of Object.entries((d.get('codes') ?? {}) as Record<string, number>)) {
        codes[code] = (codes[code] ?? 0) + v;
      }
    }
    return { docs, counts, codes };
  }

  it('when a drain sends, fails, rejects and expires, then the minute counts each outcome and its code', async () => {
    for (const t of ['ok-0', 'ok-1', 'dead-0', 'other-0', 'down-0']) await queue({ token: t });
    await queue({ token: 'late-0' }, { expiresAt: new Date(T0 + 1_000).toISOString() });
    await queue({ uid: 'nobody' }); // no device: undeliverable, NO_DEVICES
    assert.equal(adds, 7, 'the queue path writes once per accepted request');
    fcm.server.unregistered.add('dead-0');
    fcm.server.rules.forToken('other-0', { kind: 'error', code: 'SENDER_ID_MISMATCH' });
    fcm.server.rules.forToken('down-0', { kind: 'error', code: 'INTERNAL' });
    clock.advance(2_000);

    adds = 0;
    const report = await drainDuePushes(deps, settings());
    assert.equal(report.sent, 2);
    assert.equal(report.pages, 1);
    assert.equal(adds, 2, 'one write for the notifications page, one for the pushes page');

    const { docs, counts, codes } = await minuteTotals();
    assert.deepEqual(counts, {
      queued: 7,
      sent: 2,
      rejected: 2,
      failed: 1,
      expired: 1,
      undeliverable: 1,
    });
    assert.deepEqual(codes, {
      UNREGISTERED: 1,
      SENDER_ID_MISMATCH: 1,
      INTERNAL: 1,
      EXPIRED: 1,
      NO_DEVICES: 1,
    });
    for (const d of docs) {
      assert.match(d.id, /^203001010000_[0-7]$/);
      assert.equal((d.get('minute') as Timestamp).toMillis(), T0);
      assert.equal((d.get('deleteAt') as Timestamp).toMillis(), T0 + STATS_RETENTION_MS);
    }
  });

  it('when a delivery is claimed after its token moved to another user, then it counts as cancelled DEVICE_NOT_OWNED', async () => {
    await deps.tokens.save('ann', tokenIdOf('phone-1'), { token: 'phone-1', platform: 'ios' }, 10);
    await queue({ uid: 'ann' }, { reservedAt: new Date(T0 + 60_000).toISOString() });
    clock.advance(60_000);
    // Expand only: the delivery exists, then the phone changes hands before it is sent.
    const due = await deps.notifications.findDue(clock.now(), 10);
    const { expandClaimed } = await import('../../../functions/src/use-cases/expand-notifications');
    await expandClaimed(
      deps,
      await deps.notifications.claim(due, { nowMs: clock.now(), leaseMs: 60_000, runId: 'x' }),
      { maxAttempts: 3 },
    );
    await deps.tokens.save('bob', tokenIdOf('phone-1'), { token: 'phone-1', platform: 'ios' }, 10);
    const report = await drainDuePushes(deps, settings());
    assert.equal(report.notOwned, 1);
    const { counts, codes } = await minuteTotals('203001010001');
    assert.deepEqual(counts, { cancelled: 1 });
    assert.deepEqual(codes, { DEVICE_NOT_OWNED: 1 });
  });

  it('when operators retry and cancel, then retried and cancelled are counted', async () => {
    const failed = await queue({ token: 'down-0' });
    const pending = await queue({ token: 'later-0' }, { reservedAt: '2030-01-02T00:00:00Z' });
    fcm.server.rules.forToken('down-0', { kind: 'error', code: 'INTERNAL' }, 1);
    await drainDuePushes(deps, settings());
    const ops = createOperatorActions(fs.db, { operator: 'op-1' });
    const [retried] = await ops.retry(await ops.getPushes(failed!.pushIds), clock.now());
    const [cancelled] = await ops.cancel(await ops.lookUp(pending!.pushIds), clock.now());
    assert.equal(retried!.ok, true);
    assert.equal(cancelled!.ok, true);
    const { counts, codes } = await minuteTotals();
    assert.deepEqual(counts, { queued: 2, failed: 1, retried: 1, cancelled: 1 });
    assert.deepEqual(codes, { INTERNAL: 1, CANCELLED: 1 });
  });

  it('when the dispatcher refreshes the overview, then its counts match the collections', async () => {
    for (const t of ['ok-0', 'ok-1', 'dead-0']) await queue({ token: t });
    await queue({ uid: 'nobody' });
    await queue({ token: 'later-0' }, { reservedAt: '2030-01-02T00:00:00Z' });
    fcm.server.unregistered.add('dead-0');
    await drainDuePushes(deps, settings());
    // Due but not drained yet: two pushes, the oldest queued first.
    await queue({ token: 'due-0' });
    clock.advance(5_000);
    await queue({ token: 'due-1' });
    await queue({ uid: 'carol' });
    clock.advance(5_000);

    const overview = await refreshOverview({
      overview: createOverviewStore(fs.db),
      now: clock.now,
    });
    const doc = (await fs.db.collection(PUSH_STATS).doc(OVERVIEW_DOC).get()).data()!;
    const all = async (c: string) =>
      (await fs.db.collection(c).get()).docs.map((d) => d.get('status') as string);
    const tally = (statuses: string[], names: readonly string[]) =>
      Object.fromEntries(names.map((s) => [s, statuses.filter((x) => x === s).length]));
    assert.deepEqual(doc.pushes, tally(await all('pushes'), PUSH_STATUSES));
    assert.deepEqual(doc.notifications, tally(await all('notifications'), NOTIFICATION_STATUSES));
    assert.equal(doc.pushes.sent, 2);
    assert.equal(doc.pushes.rejected, 1);
    assert.equal(doc.pushes.pending, 3);
    assert.equal(doc.notifications.undeliverable, 1);
    assert.equal(doc.notifications.pending, 1);
    assert.equal(doc.dueBacklog, 3, 'due-0, due-1 and carol; later-0 is not due');
    assert.equal((doc.oldestDueAt as Timestamp).toMillis(), T0);
    assert.equal((doc.updatedAt as Timestamp).toMillis(), clock.now());
    assert.equal(overview.dueBacklog, 3);
  });

  it('when the overview has nothing due, then oldestDueAt is null', async () => {
    await refreshOverview({ overview: createOverviewStore(fs.db), now: clock.now });
    const doc = (await fs.db.collection(PUSH_STATS).doc(OVERVIEW_DOC).get()).data()!;
    assert.equal(doc.dueBacklog, 0);
    assert.equal(doc.oldestDueAt, null);
    assert.equal(doc.pushes.sent, 0);
  });

  it('when a statistics write fails, then no result is lost and the failure is reported', async () => {
    for (const t of ['ok-0', 'ok-1', 'dead-0']) await queue({ token: t });
    await queue({ uid: 'nobody' });
    fcm.server.unregistered.add('dead-0');
    const errors: string[] = [];
    const broken: DrainDeps = {
      ...deps,
      stats: { add: () => Promise.reject(new Error('stats store unavailable')) },
      onStatsError: (e) => errors.push(e),
    };
    const report = await drainDuePushes(broken, settings());
    assert.equal(report.sent, 2);
    assert.equal(report.rejected, 1);
    assert.equal(report.undeliverable, 1);
    assert.deepEqual(errors, ['stats store unavailable', 'stats store unavailable']);
    const statuses = (await fs.db.collection('pushes').get()).docs.map((d) => d.get('status'));
    assert.deepEqual(statuses.sort(), ['rejected', 'sent', 'sent']);
    const notification = (await fs.db.collection('notifications').get()).docs[0]!;
    assert.equal(notification.get('status'), 'undeliverable');
    assert.equal(fcm.server.accepted.length, 2, 'nothing sent twice');
    // A second drain finds nothing left: every result was written.
    assert.equal((await drainDuePushes(broken, settings())).claimed, 0);
  });
});
