/**
 * drainReservedPushes: every minute, the dispatcher of the sharded queue. It probes the shards
 * (limit(1) queries) and enqueues one drainShard task per busy shard (use-cases/shard-workers),
 * named after the shard and this tick's schedule time, so a retried tick enqueues nothing twice.
 *
 * When tasks cannot be enqueued (the Cloud Tasks API disabled, the queue missing, the runtime
 * account without the Cloud Tasks Enqueuer role), it drains the whole queue itself as before
 * (use-cases/drain-pushes), with an error log, so pushes never wait on a broken fan-out.
 *
 * Each tick then recounts the operator console's `pushStats/overview` (use-cases/stats): a
 * failure there is logged (`stats.overview_failed`) and never fails the tick.
 */
import { onSchedule } from 'firebase-functions/v2/scheduler';
import * as logger from 'firebase-functions/logger';
import { REGION, readSettings } from '../config/params';
import { DRAIN_TIMEOUT_SECONDS } from '../config/settings';
import { firestore } from '../adapters/firebase-app';
import { createOverviewStore } from '../adapters/stats-store';
import { shardWorkerDeps } from '../edge/production-deps';
import { refreshOverview } from '../use-cases/stats';
import { drainDuePushes } from '../use-cases/drain-pushes';
import { dispatchShards } from '../use-cases/shard-workers';

/** A task enqueued this recently that has not started yet is not enqueued again. */
export const QUEUED_GRACE_MS = 5 * 60_000;
/** The legacy probe: how many of the oldest due documents are looked at for one without a shard. */
export const LEGACY_PROBE = 50;

export const drainReservedPushes = onSchedule(
  {
    schedule: 'every 1 minutes',
    region: REGION,
    // Budget + lease must fit (checked when settings are read): the default 50 s + 120 s does.
    timeoutSeconds: DRAIN_TIMEOUT_SECONDS,
    // One run per instance: the fallback drain must not share an instance's memory and sender's
    // concurrency with another tick (the lease floor does not account for that). Overlapping
    // runs on different instances are safe: claims are exclusive.
    concurrency: 1,
    // A capped-heap run of one drain peaked near 103 MiB (docs/benchmarks.md): 256 MiB leaves
    // more than twice that as headroom.
    memory: '256MiB',
  },
  async (event) => {
    const s = readSettings();
    const deps = shardWorkerDeps(s);
    try {
      const report = await dispatchShards(deps, {
        tickId: event.scheduleTime,
        queuedGraceMs: QUEUED_GRACE_MS,
        legacyProbe: LEGACY_PROBE,
      });
      logger.info('dispatch.finished', report);
      await writeOverview();
      return;
    } catch (err) {
      logger.error('dispatch.failed', {
        error: err instanceof Error ? err.message : String(err),
        fallback: 'draining here',
      });
    }
    const report = await drainDuePushes(deps, {
      batchSize: s.drainBatchSize,
      timeBudgetMs: s.drainTimeBudgetMs,
      leaseMs: s.leaseMs,
      leaseSafetyMs: s.leaseSafetyMs,
      maxAttempts: s.maxAttempts,
      backoffBaseMs: s.backoffBaseMs,
      quietHoursSpreadMs: s.quietHoursSpreadMs,
      runId: `drain:${event.scheduleTime}:${Math.random().toString(36).slice(2, 8)}`,
    });
    const { tokenDeleteErrors, ...counts } = report;
    for (const error of tokenDeleteErrors) logger.warn('push.token_delete_failed', { error });
    logger.info('drain.finished', counts);
    await writeOverview();
  },
);

/** The console's overview: count() aggregations, one document; never fails the tick. */
async function writeOverview(): Promise<void> {
  try {
    await refreshOverview({ overview: createOverviewStore(firestore()), now: Date.now });
  } catch (err) {
    logger.warn('stats.overview_failed', {
      error: err instanceof Error ? err.message : String(err),
    });
  }
}
