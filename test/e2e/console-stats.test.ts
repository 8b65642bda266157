/**
 * The console's statistics as the deployed functions write them: an outbox request queued and
 * sent by checkPushRequest counts in the minute's documents (queued, sent), a rejected one counts
 * with its code, and the dispatcher tick (drainReservedPushes) writes pushStats/overview.
 */
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import type { Timestamp } from 'firebase-admin/firestore';
import { PUSH_STATS, PUSH_STATS_MINUTES } from '../../functions/src/adapters/stats-store';
import { STATS_COUNTERS } from '../../functions/src/core/stats';
import { fireScheduled } from '../../tools/local-stack/scheduler';
import { eventually } from '../../tools/support/eventually';
import { useE2eWorld } from './e2e-world';

describe('console statistics end to end (Functions + Firestore emulators, local FCM)', () => {
  const TOKEN = 'e2e-stats-phone:APA91bStatsToken';
  const DEAD = 'e2e-stats-dead:APA91bDeadToken';
  const world = useE2eWorld({ phoneToken: TOKEN });

  /** Every counter and code summed over all minute documents. */
  async function totals() {
    const counts: Record<string, number> = {};
    const codes: Record<string, number> = {};
    for (const d of (await world.fs.db.collection(PUSH_STATS_MINUTES).get()).docs) {
      for (const c of STATS_COUNTERS) counts[c] = (counts[c] ?? 0) + ((d.get(c) as number) ?? 0);
      for (const [k, v] of Object.entries((d.get('codes') ?? {}) as Record<string, number>)) {
        codes[k] = (codes[k] ?? 0) + v;
      }
    }
    return { counts, codes };
  }

  it('when outbox requests are sent and rejected by FCM, then the minute documents count them', async () => {
    world.google.fcm.unregistered.add(DEAD);
    await world.fs.db.collection('pushRequests').add({ to: { token: TOKEN }, title: 'Counted' });
    await world.fs.db.collection('pushRequests').add({ to: { token: DEAD }, title: 'Dead' });
    const t = await eventually(
      async () => {
        const now = await totals();
        return now.counts.sent === 1 && now.counts.rejected === 1 ? now : undefined;
      },
      60_000,
      'sent 1 and rejected 1 in pushStatsMinutes',
    );
    assert.equal(t.counts.queued, 2);
    assert.deepEqual(t.codes, { UNREGISTERED: 1 });
    const minute = (await world.fs.db.collection(PUSH_STATS_MINUTES).get()).docs[0]!;
    assert.match(minute.id, /^\d{12}_[0-7]$/);
    assert.ok(Math.abs((minute.get('minute') as Timestamp).toMillis() - Date.now()) < 5 * 60_000);
  });

  it('when the dispatcher ticks, then pushStats/overview holds the counts by status', async () => {
    await world.fs.db
      .collection('pushRequests')
      .add({ to: { uid: 'nobody-yet' }, title: 'Later', reservedAt: '2099-01-01T00:00:00Z' });
    await eventually(
      async () =>
        (await world.fs.db.collection('notifications').count().get()).data().count ? 1 : undefined,
      60_000,
      'the reserved notification',
    );
    const before = Date.now();
    await fireScheduled('drainReservedPushes');
    const overview = (await world.fs.db.collection(PUSH_STATS).doc('overview').get()).data()!;
    assert.ok((overview.updatedAt as Timestamp).toMillis() >= before - 1_000);
    assert.equal(overview.pushes.sent, 1);
    assert.equal(overview.pushes.rejected, 1);
    assert.equal(overview.pushes.pending, 0);
    assert.equal(overview.notifications.pending, 1);
    assert.equal(overview.dueBacklog, 0, 'the notification is reserved for 2099');
    assert.equal(overview.oldestDueAt, null);
  });
});
