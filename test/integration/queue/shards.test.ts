/**
 * The sharded queue on the Firestore emulator: every notification and delivery is written with a
 * shard, a user's deliveries share their notification's; a drain given a set of shards reads only
 * those; drains over disjoint shard sets together send a backlog once, nothing lost or doubled;
 * documents written before shards existed (no `shard`) are found by the legacy query, by no shard
 * query, and get their shard with their claim; the probes name the busy shards.
 */
import { after, before, beforeEach, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { FieldValue } from 'firebase-admin/firestore';
import { createStores } from '../../../functions/src/adapters/stores';
import { ALL_SHARDS, SHARD_COUNT, shardOf, shardRange } from '../../../functions/src/core/shard';
import { tokenIdOf } from '../../../functions/src/core/token-id';
import { acceptPushRequest } from '../../../functions/src/use-cases/outbox';
import {
  drainDuePushes,
  type DrainDeps,
  type DrainSettings,
} from '../../../functions/src/use-cases/drain-pushes';
import { seedDuePushes } from '../../../tools/bench/seed-pushes';
import { startLocalFcm, type LocalFcm } from '../../../tools/local-google/local-fcm';
import { connectTestFirestore, type TestFirestore } from '../../support/emulated-firestore';
import { manualClock } from '../../support/manual-clock';

describe('sharded queue (Firestore emulator + local FCM v1 server)', () => {
  let fs: TestFirestore;
  let fcm: LocalFcm;
  let clock: ReturnType<typeof manualClock>;
  let deps: DrainDeps & ReturnType<typeof createStores>;
  let n = 0;
  const settings = (over: Partial<DrainSettings> = {}): DrainSettings => ({
    batchSize: 100,
    timeBudgetMs: 600_000,
    leaseMs: 60_000,
    leaseSafetyMs: 5_000,
    maxAttempts: 3,
    backoffBaseMs: 10_000,
    runId: `run-${n++}`,
    ...over,
  });

  before(async () => {
    fs = connectTestFirestore();
    fcm = await startLocalFcm({ timeoutMs: 2_000 });
  });
  beforeEach(async () => {
    await fs.reset();
    fcm.server.rules.clear();
    fcm.server.accepted.length = 0;
    clock = manualClock(Date.parse('2030-01-01T00:00:00Z'));
    deps = { ...createStores(fs.db), sender: fcm.sender, now: clock.now, random: () => 0.5 };
  });
  after(async () => {
    await fcm.close();
    await fs.close();
  });

  const pushes = () => fs.db.collection('pushes');
  const seed = (count: number) => seedDuePushes(deps.pushes, count, clock.now(), `s${n++}`);

  it('when pushes and notifications are written, then each carries its shard, and a user’s deliveries their notification’s', async () => {
    await deps.tokens.save(
      'ann',
      tokenIdOf('ann-phone'),
      { token: 'ann-phone', platform: 'android' },
      10,
    );
    await deps.tokens.save(
      'ann',
      tokenIdOf('ann-tablet'),
      { token: 'ann-tablet', platform: 'ios' },
      10,
    );
    const ids = await seed(20);
    for (const id of ids) {
      assert.equal((await pushes().doc(id).get()).get('shard'), shardOf(id));
    }
    const out = await acceptPushRequest(
      deps,
      { to: { uid: 'ann' }, title: 'Hi' },
      { path: 'pushRequests/ann-1', createTimeMs: clock.now(), nowMs: clock.now() },
    );
    assert.equal(out.status, 'accepted');
    const [notificationId] = out.status === 'accepted' ? out.queued.notificationIds : [];
    const shard = shardOf(notificationId!);
    assert.equal(
      (await fs.db.collection('notifications').doc(notificationId!).get()).get('shard'),
      shard,
    );
    // Expanded by the worker of that one shard, which then sends the deliveries in the same run.
    const report = await drainDuePushes(deps, settings({ scope: { shards: [shard] } }));
    assert.equal(report.sent, 2 + ids.filter((id) => shardOf(id) === shard).length);
    const deliveries = await pushes().where('notificationId', '==', notificationId).get();
    assert.equal(deliveries.size, 2);
    for (const d of deliveries.docs) {
      assert.equal(d.get('shard'), shard);
      assert.equal(d.get('status'), 'sent');
    }
  });

  it('when a drain is given a set of shards, then it sends only those shards’ pushes', async () => {
    const ids = await seed(200);
    const mine = shardRange(0, 40); // More than one `in` group (30 values each).
    const report = await drainDuePushes(deps, settings({ scope: { shards: mine } }));
    const expected = ids.filter((id) => shardOf(id) < 40);
    assert.equal(report.sent, expected.length);
    assert.deepEqual([...fcm.acceptedByPushId().keys()].sort(), [...expected].sort());
  });

  it('when drains over disjoint shard ranges run side by side, then the backlog is sent once: nothing lost, nothing doubled', async () => {
    const ids = await seed(1_000);
    fcm.server.setRttMs(5);
    const workers = 4;
    const per = SHARD_COUNT / workers;
    const reports = await Promise.all(
      Array.from({ length: workers }, (_, w) =>
        drainDuePushes(
          deps,
          settings({ batchSize: 50, scope: { shards: shardRange(w * per, (w + 1) * per) } }),
        ),
      ),
    );
    fcm.server.setRttMs(0);
    assert.equal(
      reports.reduce((sum, r) => sum + r.sent, 0),
      ids.length,
    );
    const counts = fcm.acceptedByPushId();
    assert.equal(counts.size, ids.length, 'lost');
    assert.deepEqual(
      [...counts.entries()].filter(([, c]) => c !== 1),
      [],
      'doubled',
    );
    const left = await pushes().where('isSent', '==', false).count().get();
    assert.equal(left.data().count, 0);
  });

  it('when documents were written before shards existed, then the legacy query drains them and their claim gives them a shard', async () => {
    const ids = await seed(30);
    const legacy = ids.slice(0, 10);
    for (const id of legacy) await pushes().doc(id).update({ shard: FieldValue.delete() });

    // No shard query sees them, all shards together included.
    const all = await drainDuePushes(deps, settings({ scope: { shards: ALL_SHARDS } }));
    assert.equal(all.sent, 20);
    assert.equal(await deps.pushes.hasUnshardedDue(clock.now(), 20), true);

    const report = await drainDuePushes(deps, settings({ scope: { unsharded: true } }));
    assert.equal(report.sent, 10);
    for (const id of legacy) {
      const d = await pushes().doc(id).get();
      assert.equal(d.get('status'), 'sent');
      assert.equal(d.get('shard'), shardOf(id), 'the claim wrote its shard');
    }
    assert.equal(fcm.acceptedByPushId().size, 30);
    assert.equal(await deps.pushes.hasUnshardedDue(clock.now(), 20), false);
  });

  it('when a legacy notification is expanded, then it and its deliveries get one shard', async () => {
    await deps.tokens.save(
      'bo',
      tokenIdOf('bo-phone'),
      { token: 'bo-phone', platform: 'android' },
      10,
    );
    const out = await acceptPushRequest(
      deps,
      { to: { uid: 'bo' }, title: 'Hi' },
      { path: 'pushRequests/bo-1', createTimeMs: clock.now(), nowMs: clock.now() },
    );
    const id = out.status === 'accepted' ? out.queued.notificationIds[0]! : '';
    await fs.db.collection('notifications').doc(id).update({ shard: FieldValue.delete() });
    assert.equal(await deps.notifications.hasUnshardedDue(clock.now(), 5), true);
    const report = await drainDuePushes(deps, settings({ scope: { unsharded: true } }));
    assert.equal(report.expanded, 1);
    const notification = await fs.db.collection('notifications').doc(id).get();
    assert.equal(notification.get('shard'), shardOf(id));
    // The delivery is due in that shard now: its worker sends it.
    const again = await drainDuePushes(deps, settings({ scope: { shards: [shardOf(id)] } }));
    assert.equal(report.sent + again.sent, 1);
  });

  it('when shards are probed, then exactly those with something due are named', async () => {
    assert.deepEqual(await deps.pushes.dueShards(clock.now(), ALL_SHARDS), []);
    const ids = await seed(12);
    const later = (await seedDuePushes(deps.pushes, 3, clock.now() + 3_600_000, 'later')).map(
      shardOf,
    );
    const busy = [...new Set(ids.map(shardOf))].sort((a, b) => a - b);
    assert.deepEqual(await deps.pushes.dueShards(clock.now(), ALL_SHARDS), busy);
    assert.deepEqual(await deps.pushes.dueShards(clock.now(), [busy[0]!]), [busy[0]], 'one shard');
    assert.ok(later.length === 3);
    assert.deepEqual(await deps.notifications.dueShards(clock.now(), ALL_SHARDS), []);
  });
});
