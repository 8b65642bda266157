/**
 * The queue's fan-out: a dispatcher (the minute tick) finds the shards with due work and enqueues
 * one task per busy shard; each task is a shard worker that drains its shard with the drain's own
 * claim/lease/result protocol (drainDuePushes), holding the shard's small lease so that one worker
 * drains a shard at a time, and enqueues its own continuation when its budget ends with work left.
 *
 * Nothing here weakens the drain's guarantees: a push is still sent only by the run whose claim
 * committed, and the shard lease only keeps workers out of each other's way. A worker that dies
 * leaves its shard leased until the lease ends (at most one push lease: it is renewed before each
 * page); its claimed pushes come back when their own leases end, like any run's.
 */
import { ALL_SHARDS, SHARD_COUNT, taskIdOf, type ShardScope } from '../core/shard';
import {
  drainDuePushes,
  type DrainDeps,
  type DrainReport,
  type DrainSettings,
} from './drain-pushes';
import type { ShardKey, ShardLeaseStore, ShardTask, ShardTaskQueue } from './ports';

export type WorkerDeps = DrainDeps & {
  leases: ShardLeaseStore;
  tasks: ShardTaskQueue;
};

export type WorkerSettings = Omit<DrainSettings, 'scope' | 'beforePage' | 'runId'>;

export interface WorkerReport {
  shard: ShardKey;
  /** `leased`: another worker holds the shard; this task did nothing. */
  outcome: 'drained' | 'leased';
  drain?: DrainReport;
  /** The continuation's task name, when the run ended with work left. */
  continuation?: { id: string; delaySeconds: number; enqueued: boolean };
}

export function scopeOf(key: ShardKey): ShardScope {
  return key === 'unsharded' ? { unsharded: true } : { shards: [key] };
}

export function isShardKey(value: unknown): value is ShardKey {
  return (
    value === 'unsharded' ||
    (typeof value === 'number' && Number.isInteger(value) && value >= 0 && value < SHARD_COUNT)
  );
}

/**
 * One shard worker run: take the shard's lease (or leave, when another worker has it), drain the
 * shard page by page renewing the lease before each, give the lease up, and enqueue a
 * continuation when the budget (or FCM's quota backoff) ended the run with work left.
 */
export async function drainShard(
  deps: WorkerDeps,
  settings: WorkerSettings,
  task: { shard: ShardKey; taskId: string; runId: string },
): Promise<WorkerReport> {
  const { shard, runId } = task;
  // The shard lease lasts as long as one page's push leases: renewed before each page, so a
  // worker that dies frees its shard when its last page's pushes become due again.
  const leaseUntil = () => deps.now() + settings.leaseMs;
  if (!(await deps.leases.acquire(shard, runId, deps.now(), leaseUntil()))) {
    return { shard, outcome: 'leased' };
  }
  let drain: DrainReport;
  try {
    drain = await drainDuePushes(deps, {
      ...settings,
      runId,
      scope: scopeOf(shard),
      beforePage: () => deps.leases.renew(shard, runId, deps.now(), leaseUntil()),
    });
  } catch (err) {
    // The task fails and Cloud Tasks retries it; the shard must not wait for the lease to end.
    await deps.leases.release(shard, runId).catch(() => undefined);
    throw err;
  }
  const workLeft = drain.stoppedBy === 'budget' || drain.stoppedBy === 'quota';
  if (!workLeft) {
    await deps.leases.release(shard, runId);
    return { shard, outcome: 'drained', drain };
  }
  const delaySeconds =
    drain.resumeAtMs !== undefined ? Math.max(0, (drain.resumeAtMs - deps.now()) / 1000) : 0;
  // Named after this task, so a retried worker enqueues the same continuation (once).
  const id = taskIdOf(task.taskId, 'next');
  await deps.leases.release(shard, runId, deps.now());
  const enqueued = (await deps.tasks.enqueue({ shard }, { id, delaySeconds })) === 'enqueued';
  return { shard, outcome: 'drained', drain, continuation: { id, delaySeconds, enqueued } };
}

export interface DispatchDeps {
  pushes: DrainDeps['pushes'];
  notifications: DrainDeps['notifications'];
  leases: ShardLeaseStore;
  tasks: ShardTaskQueue;
  now: () => number;
}

export interface DispatchSettings {
  /** Names this tick: the schedule's minute, so a retried tick makes the same task names. */
  tickId: string;
  /** A task enqueued this recently and not started yet is not enqueued again for its shard. */
  queuedGraceMs: number;
  /** How many of the oldest due documents the legacy probe looks at for one without a shard. */
  legacyProbe: number;
}

export interface DispatchReport {
  busy: ShardKey[];
  enqueued: ShardKey[];
  duplicates: ShardKey[];
  /** Busy shards skipped: a worker holds them, or their task is still waiting to start. */
  running: ShardKey[];
  waiting: ShardKey[];
}

/**
 * The minute tick: probe the shards (limit(1) queries; an idle queue costs a few reads) and the
 * legacy query, and enqueue one task per busy shard that no worker holds and no task waits for.
 */
export async function dispatchShards(
  deps: DispatchDeps,
  settings: DispatchSettings,
): Promise<DispatchReport> {
  const nowMs = deps.now();
  const [pushShards, notificationShards, legacyPushes, legacyNotifications] = await Promise.all([
    deps.pushes.dueShards(nowMs, ALL_SHARDS),
    deps.notifications.dueShards(nowMs, ALL_SHARDS),
    deps.pushes.hasUnshardedDue(nowMs, settings.legacyProbe),
    deps.notifications.hasUnshardedDue(nowMs, settings.legacyProbe),
  ]);
  const busy: ShardKey[] = [...new Set([...pushShards, ...notificationShards])].sort(
    (a, b) => a - b,
  );
  if (legacyPushes || legacyNotifications) busy.push('unsharded');
  const report: DispatchReport = { busy, enqueued: [], duplicates: [], running: [], waiting: [] };
  if (busy.length === 0) return report;

  const states = await deps.leases.states(busy);
  const toEnqueue: ShardKey[] = [];
  for (const key of busy) {
    const state = states.get(key) ?? {};
    if (state.leaseUntilMs !== undefined && state.leaseUntilMs > nowMs) report.running.push(key);
    else if (state.queuedAtMs !== undefined && state.queuedAtMs > nowMs - settings.queuedGraceMs)
      report.waiting.push(key);
    else toEnqueue.push(key);
  }
  const outcomes = await Promise.all(
    toEnqueue.map(async (shard) => {
      const task: ShardTask = { shard };
      return [
        shard,
        await deps.tasks.enqueue(task, { id: taskIdOf(shard, settings.tickId) }),
      ] as const;
    }),
  );
  for (const [shard, outcome] of outcomes) {
    (outcome === 'enqueued' ? report.enqueued : report.duplicates).push(shard);
  }
  await deps.leases.markQueued(report.enqueued, nowMs);
  return report;
}
