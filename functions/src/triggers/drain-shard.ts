/**
 * drainShard: the shard worker, a task-queue function (Cloud Tasks). Each task drains one shard
 * (see use-cases/shard-workers): the minute tick enqueues one per busy shard, and a worker whose
 * budget ends with work left enqueues its own continuation.
 */
import { onTaskDispatched } from 'firebase-functions/v2/tasks';
import * as logger from 'firebase-functions/logger';
import { REGION, SHARD_WORKERS, readSettings } from '../config/params';
import { DRAIN_TIMEOUT_SECONDS } from '../config/settings';
import { shardWorkerDeps } from '../edge/production-deps';
import { drainShard as drainShardRun, isShardKey } from '../use-cases/shard-workers';
import type { ShardTask } from '../use-cases/ports';

/** Tasks dispatched per second at most: a tick enqueues at most 65, continuations trickle in. */
export const WORKER_DISPATCHES_PER_SECOND = 20;

export const drainShard = onTaskDispatched<ShardTask>(
  {
    region: REGION,
    // As the drain: budget + lease fit (checked when settings are read), and Cloud Tasks waits
    // this long for the answer (the enqueuer's dispatchDeadlineSeconds).
    timeoutSeconds: DRAIN_TIMEOUT_SECONDS,
    // One worker per instance: its sender's concurrency is the per-worker FCM concurrency the
    // capacity model counts, and the lease floor assumes it is not shared.
    concurrency: 1,
    memory: '256MiB',
    // How many workers run at once: with DRAIN_CONCURRENCY requests each, this bounds the
    // fleet's message rate (README, Scaling out). Dispatch rate only bounds task starts.
    rateLimits: {
      maxConcurrentDispatches: SHARD_WORKERS,
      maxDispatchesPerSecond: WORKER_DISPATCHES_PER_SECOND,
    },
    // A worker that threw (Firestore unavailable, say) is retried; the next tick covers a task
    // that ran out of attempts.
    retryConfig: { maxAttempts: 5, minBackoffSeconds: 10, maxBackoffSeconds: 300 },
  },
  async (req) => {
    const shard = req.data?.shard;
    if (!isShardKey(shard)) {
      logger.error('shard.bad_task', { task: req.id, data: req.data });
      return; // Retrying a malformed task would not mend it.
    }
    // Cloud Tasks always names a task; a direct call (a test, curl) may not.
    const taskId = req.id || `direct-${Date.now()}-${Math.random().toString(36).slice(2, 8)}`;
    const s = readSettings();
    const report = await drainShardRun(
      shardWorkerDeps(s),
      {
        batchSize: s.drainBatchSize,
        timeBudgetMs: s.drainTimeBudgetMs,
        leaseMs: s.workerLeaseMs,
        leaseSafetyMs: s.leaseSafetyMs,
        maxAttempts: s.maxAttempts,
        backoffBaseMs: s.backoffBaseMs,
        quietHoursSpreadMs: s.quietHoursSpreadMs,
        maxSendsPerSecond: s.workerMaxSendsPerSecond,
        // Claim the next page while this one is sent (workerLeaseMs covers the wait).
        pipeline: true,
      },
      {
        shard,
        taskId,
        runId: `shard-${shard}:${taskId.slice(0, 12)}:${Math.random().toString(36).slice(2, 8)}`,
      },
    );
    if (report.outcome === 'leased') {
      logger.info('shard.skipped', { shard, reason: 'leased' });
      return;
    }
    const { tokenDeleteErrors, ...counts } = report.drain!;
    for (const error of tokenDeleteErrors) logger.warn('push.token_delete_failed', { error });
    logger.info('shard.finished', { shard, ...counts, continuation: report.continuation });
  },
);
