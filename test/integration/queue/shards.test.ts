/**
 * The sharded queue on the Firestore emulator: every notification and delivery is written with a
 * shard, a user's deliveries share their notification's; a drain given a set of shards reads only
 * those; drains over disjoint shard sets together send a backlog once, nothing lost or doubled;
 * documents written before shards existed (no `shard`) are found by the legacy query, by no shard
 * query, and get their shard with their claim; the probes name the busy shards.
 */
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { FieldValue } from 'firebase-admin/firestore';
import { ALL_SHARDS, SHARD_COUNT, shardOf, shardRange } from '../../../functions/src/core/shard';
import { useQueueWorld } from '../../support/queue-world';

describe('sharded queue (Firestore emulator + local FCM v1 server)', () => {
  const world = useQueueWorld({
    fcm: { timeoutMs: 2_000 },
    startMs: Date.parse('2030-01-01T00:00:00Z'),
    settings: { batchSize: 100, timeBudgetMs: 600_000 },
  });
  const { clock } = world;

  const pushes = () => world.fs.db.collection('pushes');

  it('when pushes and notifications are written, then each carries its shard, and a user’s deliveries their notification’s', async () => {
    await world.device('ann', 'ann-phone');
    await world.device('ann', 'ann-tablet', { platform: 'ios' });
    const ids = await world.seed(20);
    for (const id of ids) {
      assert.equal((await pushes().doc(id).get()).get('shard'), shardOf(id));
    }
    const [notificationId] = (await world.accept({ to: { uid: 'ann' }, title: 'Hi' }, 'ann-1'))
      .notificationIds;
    const shard = shardOf(notificationId!);
    assert.equal(
      (await world.fs.db.collection('notifications').doc(notificationId!).get()).get('shard'),
      shard,
    );
    // Expanded by the worker of that one shard, which then sends the deliveries in the same run.
    const report = await world.drain({ scope: { shards: [shard] } });
    assert.equal(report.sent, 2 + ids.filter((id) => shardOf(id) === shard).length);
    const deliveries = await pushes().where('notificationId', '==', notificationId).get();
    assert.equal(deliveries.size, 2);
    for (const d of deliveries.docs) {
      assert.equal(d.get('shard'), shard);
      assert.equal(d.get('status'), 'sent');
    }
  });

  it('when a drain is given a set of shards, then it sends only those shards’ pushes', async () => {
    const ids = await world.seed(200);
    const mine = shardRange(0, 40); // More than one `in` group (30 values each).
    const report = await world.drain({ scope: { shards: mine } });
    const expected = ids.filter((id) => shardOf(id) < 40);
    assert.equal(report.sent, expected.length);
    assert.deepEqual([...world.fcm.acceptedByPushId().keys()].sort(), [...expected].sort());
  });

  it('when drains over disjoint shard ranges run side by side, then the backlog is sent once: nothing lost, nothing doubled', async () => {
    const ids = await world.seed(1_000);
    world.fcm.server.setRttMs(5);
    const workers = 4;
    const per = SHARD_COUNT / workers;
    const reports = await Promise.all(
      Array.from({ length: workers }, (_, w) =>
        world.drain({ batchSize: 50, scope: { shards: shardRange(w * per, (w + 1) * per) } }),
      ),
    );
    world.fcm.server.setRttMs(0);
    assert.equal(
      reports.reduce((sum, r) => sum + r.sent, 0),
      ids.length,
    );
    const counts = world.fcm.acceptedByPushId();
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
    const ids = await world.seed(30);
    const legacy = ids.slice(0, 10);
    for (const id of legacy) await pushes().doc(id).update({ shard: FieldValue.delete() });

    // No shard query sees them, all shards together included.
    const all = await world.drain({ scope: { shards: ALL_SHARDS } });
    assert.equal(all.sent, 20);
    assert.equal(await world.deps.pushes.hasUnshardedDue(clock.now(), 20), true);

    const report = await world.drain({ scope: { unsharded: true } });
    assert.equal(report.sent, 10);
    for (const id of legacy) {
      const d = await pushes().doc(id).get();
      assert.equal(d.get('status'), 'sent');
      assert.equal(d.get('shard'), shardOf(id), 'the claim wrote its shard');
    }
    assert.equal(world.fcm.acceptedByPushId().size, 30);
    assert.equal(await world.deps.pushes.hasUnshardedDue(clock.now(), 20), false);
  });

  it('when a legacy notification is expanded, then it and its deliveries get one shard', async () => {
    await world.device('bo', 'bo-phone');
    const id = (await world.accept({ to: { uid: 'bo' }, title: 'Hi' }, 'bo-1')).notificationIds[0]!;
    await world.fs.db.collection('notifications').doc(id).update({ shard: FieldValue.delete() });
    assert.equal(await world.deps.notifications.hasUnshardedDue(clock.now(), 5), true);
    const report = await world.drain({ scope: { unsharded: true } });
    assert.equal(report.expanded, 1);
    const notification = await world.fs.db.collection('notifications').doc(id).get();
    assert.equal(notification.get('shard'), shardOf(id));
    // The delivery is due in that shard now: its worker sends it.
    const again = await world.drain({ scope: { shards: [shardOf(id)] } });
    assert.equal(report.sent + again.sent, 1);
  });

  it('when shards are probed, then exactly those with something due are named', async () => {
    assert.deepEqual(await world.deps.pushes.dueShards(clock.now(), ALL_SHARDS), []);
    const ids = await world.seed(12);
    const later = (await world.seed(3, 'later', clock.now() + 3_600_000)).map(shardOf);
    const busy = [...new Set(ids.map(shardOf))].sort((a, b) => a - b);
    assert.deepEqual(await world.deps.pushes.dueShards(clock.now(), ALL_SHARDS), busy);
    assert.deepEqual(
      await world.deps.pushes.dueShards(clock.now(), [busy[0]!]),
      [busy[0]],
      'one shard',
    );
    assert.ok(later.length === 3);
    assert.deepEqual(await world.deps.notifications.dueShards(clock.now(), ALL_SHARDS), []);
  });
});
