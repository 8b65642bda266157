/**
 * The fan-out for real, on the emulators: the minute tick (drainReservedPushes, fired as Cloud
 * Scheduler would) probes the shards and enqueues one task per busy shard into firebase-tools'
 * Cloud Tasks emulator, which dispatches them to the drainShard task-queue function; the workers
 * drain their shards (per-shard leases in pushQueue) and every push reaches the local FCM server
 * once, claimed by a shard worker, not by the tick.
 */
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { createPushStore } from '../../functions/src/adapters/push-store';
import { shardOf } from '../../functions/src/core/shard';
import { seedDuePushes } from '../../tools/bench/seed-pushes';
import { busyShardDocs } from '../../tools/local-stack/fan-out';
import { fireScheduled } from '../../tools/local-stack/scheduler';
import { eventually } from '../../tools/support/eventually';
import { useE2eWorld } from './e2e-world';

describe('fan-out end to end (Functions + Firestore + Cloud Tasks emulators, local FCM)', () => {
  const world = useE2eWorld({ fcm: { rttMs: 5 } });

  it('when pushes are due, then the tick enqueues shard tasks, the Cloud Tasks emulator runs the workers, and each push is sent once by a shard worker', async () => {
    const ids = await seedDuePushes(createPushStore(world.fs.db), 300, Date.now(), 'fanout');
    const shards = new Set(ids.map(shardOf));
    // Do not wait for the workers here: the tick itself only enqueues.
    await fireScheduled('drainReservedPushes', undefined, { settle: false });
    const queued = await world.fs.db.collection('pushQueue').get();
    assert.ok(queued.size >= 1, 'the tick marked the shards it enqueued');

    const sent = await eventually(
      async () => {
        const left = await world.fs.db
          .collection('pushes')
          .where('isSent', '==', false)
          .count()
          .get();
        return left.data().count === 0 ? true : undefined;
      },
      90_000,
      'every seeded push sent',
    );
    assert.equal(sent, true);
    const accepted = new Map<string, number>();
    for (const a of world.google.fcm.accepted) {
      const id = (a.message.data as Record<string, string> | undefined)?.push_id;
      if (id) accepted.set(id, (accepted.get(id) ?? 0) + 1);
    }
    assert.equal(accepted.size, ids.length, 'nothing lost');
    assert.deepEqual(
      [...accepted.entries()].filter(([, c]) => c !== 1),
      [],
      'nothing doubled',
    );

    // Claimed by shard workers (run ids `shard-<n>:<task>:…`), one shard each.
    const claimers = new Map<string, Set<number>>();
    for (const id of ids) {
      const history = (await world.fs.db.collection('pushes').doc(id).get()).get(
        'history',
      ) as Array<{
        event: string;
        by?: string;
      }>;
      const by = history.find((h) => h.event === 'claimed')?.by ?? '';
      assert.match(by, /^shard-\d+:/, `push ${id} claimed by ${by}`);
      const set = claimers.get(by) ?? new Set<number>();
      set.add(shardOf(id));
      claimers.set(by, set);
    }
    assert.ok(
      [...claimers.values()].every((s) => s.size === 1),
      'a worker drains one shard',
    );
    assert.ok(claimers.size >= Math.min(shards.size, 2), 'several workers ran');

    // The workers gave their shards back.
    await eventually(
      async () => ((await busyShardDocs()).length === 0 ? true : undefined),
      30_000,
      'the shard leases released',
    );
  });
});
