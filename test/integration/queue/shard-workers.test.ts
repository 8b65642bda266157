/**
 * The fan-out on the Firestore emulator and the local FCM v1 server, with an in-memory task queue
 * standing in for Cloud Tasks (the e2e tier runs the real Cloud Tasks emulator): the dispatcher
 * enqueues one task per busy shard and nothing twice for a retried tick; workers holding per-shard
 * leases drain a backlog with continuations, nothing lost or doubled; one worker per shard at a
 * time; a worker killed mid-shard is recovered by the leases; a QUOTA_EXCEEDED answer slows every
 * worker; documents written before shards existed are dispatched and drained.
 */
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { FieldValue } from 'firebase-admin/firestore';
import {
  createQuotaStore,
  createShardLeaseStore,
} from '../../../functions/src/adapters/queue-state-store';
import { shardOf } from '../../../functions/src/core/shard';
import type { ShardKey, ShardTask, ShardTaskQueue } from '../../../functions/src/use-cases/ports';
import {
  dispatchShards,
  drainShard,
  type WorkerReport,
  type WorkerSettings,
} from '../../../functions/src/use-cases/shard-workers';
import { useQueueWorld } from '../../support/queue-world';

/** Cloud Tasks in memory: named tasks, a name used once stays used (as the emulator does). */
function memoryTaskQueue() {
  const names = new Set<string>();
  const pending: Array<{ id: string; task: ShardTask; delaySeconds: number }> = [];
  const queue: ShardTaskQueue & {
    pending: typeof pending;
    names: Set<string>;
    failNext?: Error;
  } = {
    pending,
    names,
    async enqueue(task, { id, delaySeconds = 0 }) {
      if (queue.failNext) {
        const err = queue.failNext;
        queue.failNext = undefined;
        throw err;
      }
      if (names.has(id)) return 'duplicate';
      names.add(id);
      pending.push({ id, task, delaySeconds });
      return 'enqueued';
    },
  };
  return queue;
}

describe('shard workers and dispatcher (Firestore emulator + local FCM v1 server)', () => {
  const world = useQueueWorld({
    fcm: { timeoutMs: 2_000 },
    startMs: Date.parse('2030-01-01T00:00:00Z'),
    settings: { timeBudgetMs: 600_000 },
    extraDeps: (db) => ({
      leases: createShardLeaseStore(db),
      quota: createQuotaStore(db),
      tasks: memoryTaskQueue(),
    }),
  });
  const { clock, seed } = world;
  const settings = (over: Partial<WorkerSettings> = {}): WorkerSettings => world.settings(over);
  const run = (shard: ShardKey, taskId: string, over: Partial<WorkerSettings> = {}) =>
    drainShard(world.deps, settings(over), { shard, taskId, runId: `w-${world.seq()}` });
  const dispatch = (tickId: string) =>
    dispatchShards(world.deps, { tickId, queuedGraceMs: 300_000, legacyProbe: 20 });

  /** Runs queued tasks, `parallel` at a time, until none is left; answers every report. */
  async function runQueue(parallel: number, over: Partial<WorkerSettings> = {}) {
    const reports: WorkerReport[] = [];
    while (world.deps.tasks.pending.length > 0) {
      const wave = world.deps.tasks.pending.splice(0, parallel);
      reports.push(...(await Promise.all(wave.map((t) => run(t.task.shard, t.id, over)))));
    }
    return reports;
  }

  it('when a backlog is dispatched, then several shard workers with continuations send it once: nothing lost, nothing doubled', async () => {
    const ids = await seed(600);
    world.fcm.server.setRttMs(2);
    const first = await dispatch('tick-1');
    const shards = [...new Set(ids.map(shardOf))].sort((a, b) => a - b);
    assert.deepEqual(first.busy, shards);
    assert.deepEqual(first.enqueued, shards);
    // A budget of one page per run (each send takes 1 ms of the test clock): every shard with
    // more than a page continues itself.
    const sender = world.deps.sender;
    world.deps.sender = {
      ...sender,
      sendAll: (messages, options) => {
        clock.advance(1);
        return sender.sendAll(messages, options);
      },
    };
    const reports = await runQueue(4, { batchSize: 5, timeBudgetMs: 1 });
    world.fcm.server.setRttMs(0);
    assert.ok(
      reports.some((r) => r.continuation?.enqueued),
      'some shard needed a continuation',
    );
    const counts = world.fcm.acceptedByPushId();
    assert.equal(counts.size, ids.length, 'lost');
    assert.deepEqual(
      [...counts.entries()].filter(([, c]) => c !== 1),
      [],
      'doubled',
    );
    assert.deepEqual((await dispatch('tick-2')).busy, [], 'nothing due any more');
  });

  it('when the same tick is dispatched twice, then nothing is enqueued twice', async () => {
    await seed(40);
    const first = await dispatch('2030-01-01T00:00:00.000Z');
    assert.ok(first.enqueued.length > 0);
    const retried = await dispatch('2030-01-01T00:00:00.000Z');
    assert.deepEqual(retried.enqueued, []);
    assert.deepEqual(retried.waiting, first.enqueued, 'their tasks have not started yet');
    // Even without the queued marks (lost, say), the task names themselves refuse a repeat.
    await world.fs.db.recursiveDelete(world.fs.db.collection('pushQueue'));
    const again = await dispatch('2030-01-01T00:00:00.000Z');
    assert.deepEqual(again.enqueued, []);
    assert.deepEqual(again.duplicates, first.enqueued);
    assert.equal(world.deps.tasks.pending.length, first.enqueued.length);
    // A later tick, once the grace has passed and the tasks still have not run: enqueued again.
    clock.advance(300_001);
    const later = await dispatch('2030-01-01T00:06:00.000Z');
    assert.deepEqual(later.enqueued, first.enqueued);
  });

  it('when a worker holds a shard, then another task for it leaves, and the dispatcher skips it', async () => {
    const ids = await seed(60);
    const shard = shardOf(ids[0]!);
    assert.equal(
      await world.deps.leases.acquire(shard, 'other', clock.now(), clock.now() + 60_000),
      true,
    );
    assert.equal(
      await world.deps.leases.acquire(shard, 'mine', clock.now(), clock.now() + 60_000),
      false,
    );
    const report = await run(shard, 'task-a');
    assert.equal(report.outcome, 'leased');
    assert.equal(world.fcm.server.accepted.length, 0);
    const d = await dispatch('tick');
    assert.ok(d.running.includes(shard));
    assert.ok(!d.enqueued.includes(shard));
  });

  it('when a task finds its shard held, then its queued mark goes, so the next tick does not skip the shard once the holder is done', async () => {
    const ids = await seed(30);
    const shard = shardOf(ids[0]!);
    const first = await dispatch('tick-a');
    assert.ok(first.enqueued.includes(shard));
    // Meanwhile a worker took the shard (a continuation, say); the tick's task finds it held.
    assert.equal(
      await world.deps.leases.acquire(shard, 'holder', clock.now(), clock.now() + 60_000),
      true,
    );
    await world.deps.leases.markQueued([shard], clock.now()); // the tick marked it after enqueueing
    assert.equal(
      (await run(shard, world.deps.tasks.pending.find((t) => t.task.shard === shard)!.id)).outcome,
      'leased',
    );
    // The holder ends without draining everything and without a continuation (it died, say).
    await world.deps.leases.release(shard, 'holder');
    const state = (await world.deps.leases.states([shard])).get(shard);
    assert.deepEqual(state, {}, 'neither leased nor queued');
    const next = await dispatch('tick-b');
    assert.ok(next.enqueued.includes(shard), 'enqueued again at once, not after the grace');
  });

  it('when workers start on a shard another is draining, then they leave it to that one', async () => {
    const ids = await seed(100);
    const shard = shardOf(ids[0]!);
    const inShard = ids.filter((id) => shardOf(id) === shard);
    // The first worker is held inside its first send until the others have come and gone.
    let entered!: () => void;
    const inSend = new Promise<void>((resolve) => (entered = resolve));
    let release!: () => void;
    const gate = new Promise<void>((resolve) => (release = resolve));
    const sender = world.deps.sender;
    world.deps.sender = {
      ...sender,
      async sendAll(messages, options) {
        entered();
        await gate;
        return sender.sendAll(messages, options);
      },
    };
    const first = run(shard, 'a');
    await inSend;
    const others = await Promise.all([run(shard, 'b'), run(shard, 'c')]);
    assert.deepEqual(
      others.map((r) => r.outcome),
      ['leased', 'leased'],
    );
    release();
    assert.equal((await first).outcome, 'drained');
    assert.equal(world.fcm.acceptedByPushId().size, inShard.length);
    assert.ok([...world.fcm.acceptedByPushId().values()].every((c) => c === 1));
    // Racing acquisitions: exactly one wins.
    const wins = await Promise.all(
      ['x', 'y', 'z'].map((o) =>
        world.deps.leases.acquire(63, o, clock.now(), clock.now() + 60_000),
      ),
    );
    assert.equal(wins.filter(Boolean).length, 1);
  });

  it('when a worker is killed mid-shard, then the shard and its claimed pushes come back when the leases end, and each push is sent once', async () => {
    const ids = await seed(80);
    const shard = shardOf(ids[0]!);
    const inShard = ids.filter((id) => shardOf(id) === shard);
    // The killed worker: took the shard, claimed a page, died before sending.
    assert.equal(
      await world.deps.leases.acquire(shard, 'killed', clock.now(), clock.now() + 60_000),
      true,
    );
    const page = await world.deps.pushes.findDue(clock.now(), 50, { shards: [shard] });
    const { claimed } = await world.deps.pushes.claim(page, {
      nowMs: clock.now(),
      leaseMs: 60_000,
      runId: 'killed',
    });
    assert.equal(claimed.length, inShard.length);
    assert.equal((await run(shard, 'too-early')).outcome, 'leased');
    clock.advance(60_001);
    const report = await run(shard, 'after-lease');
    assert.equal(report.outcome, 'drained');
    assert.equal(report.drain?.sent, inShard.length);
    assert.equal(world.fcm.acceptedByPushId().size, inShard.length);
    for (const id of inShard) {
      const d = await world.fs.db.collection('pushes').doc(id).get();
      assert.equal(d.get('status'), 'sent');
      assert.equal(d.get('attempts'), 2, 'the killed claim counts');
    }
    const state = (await world.deps.leases.states([shard])).get(shard);
    assert.equal(state?.leaseUntilMs, undefined, 'released');
  });

  it('when a worker loses its shard lease, then it stops before its next page', async () => {
    const ids = await seed(30);
    const shard = shardOf(ids[0]!);
    let pages = 0;
    const sender = world.deps.sender;
    world.deps.sender = {
      ...sender,
      async sendAll(messages, options) {
        if (++pages === 1) {
          // Meanwhile the lease ended and another worker took the shard.
          clock.advance(60_001);
          await world.deps.leases.acquire(shard, 'usurper', clock.now(), clock.now() + 60_000);
        }
        return sender.sendAll(messages, options);
      },
    };
    const report = await run(shard, 'slow', { batchSize: 1 });
    assert.equal(report.drain?.stoppedBy, 'lease-lost');
    assert.equal(report.drain?.pages, 1);
    assert.equal(report.continuation, undefined);
  });

  it('when FCM answers QUOTA_EXCEEDED, then the backoff is shared: other workers wait (Retry-After respected) or stop and continue later', async () => {
    const ids = await seed(200, 'q');
    const shards = [...new Set(ids.map(shardOf))];
    const [a, b] = shards;
    const tokenIn = (s: number) => `q-token-${ids.findIndex((id) => shardOf(id) === s)}`;
    world.fcm.server.rules.forToken(
      tokenIn(a!),
      { kind: 'error', code: 'QUOTA_EXCEEDED', retryAfter: 90 },
      1,
    );
    const first = await run(a!, 'quota-a');
    assert.equal(first.drain?.retried, 1);
    const until = await world.deps.quota!.blockedUntil(clock.now());
    assert.ok(until !== undefined && until >= clock.now() + 90_000, 'Retry-After respected');

    // Another shard's worker, without a way to wait: sends nothing, continues after the backoff.
    const before = world.fcm.server.accepted.length;
    const second = await run(b!, 'quota-b');
    assert.equal(second.drain?.stoppedBy, 'quota');
    assert.equal(world.fcm.server.accepted.length, before);
    assert.ok(second.continuation!.delaySeconds >= 89);
    assert.ok(world.deps.tasks.pending.some((t) => t.id === second.continuation!.id));

    // A worker that can wait within its budget sleeps until the backoff ends, then sends.
    world.deps.sleep = async (ms) => clock.advance(ms);
    const third = await run(b!, 'quota-b2');
    assert.equal(third.drain?.waits, 1);
    assert.ok(third.drain!.waitedMs >= 89_000);
    assert.equal(third.drain?.sent, ids.filter((id) => shardOf(id) === b).length);
  });

  it('when a worker has a share of the quota, then it paces its pages to it', async () => {
    const ids = await seed(60, 'pace');
    const shard = shardOf(ids[0]!);
    const inShard = ids.filter((id) => shardOf(id) === shard).length;
    world.deps.sleep = async (ms) => clock.advance(ms);
    const t0 = clock.now();
    const report = await run(shard, 'paced', { batchSize: 1, maxSendsPerSecond: 2 });
    assert.equal(report.drain?.sent, inShard);
    // n pages of one at 2/s: the last page starts (n - 1) / 2 s after the first.
    assert.ok(clock.now() - t0 >= ((inShard - 1) / 2) * 1000);
  });

  it('when documents were written before shards existed, then the dispatcher enqueues the unsharded worker, which drains them', async () => {
    const ids = await seed(20);
    for (const id of ids.slice(0, 5))
      await world.fs.db.collection('pushes').doc(id).update({ shard: FieldValue.delete() });
    const d = await dispatch('tick-legacy');
    assert.ok(d.enqueued.includes('unsharded'));
    await runQueue(8);
    assert.equal(world.fcm.acceptedByPushId().size, 20);
    assert.ok([...world.fcm.acceptedByPushId().values()].every((c) => c === 1));
  });

  it('when enqueueing fails, then the dispatcher says so (the trigger then drains itself)', async () => {
    await seed(5);
    world.deps.tasks.failNext = new Error('Cloud Tasks API has not been used in project');
    await assert.rejects(dispatch('tick-fail'), /Cloud Tasks API/);
  });
});
