/** drainReservedPushes: every minute, send what is due (see use-cases/drain-pushes). */
import { onSchedule } from 'firebase-functions/v2/scheduler';
import * as logger from 'firebase-functions/logger';
import { REGION, readSettings } from '../config/params';
import { DRAIN_TIMEOUT_SECONDS } from '../config/settings';
import { productionDeps } from '../edge/production-deps';
import { drainDuePushes } from '../use-cases/drain-pushes';

export const drainReservedPushes = onSchedule(
  {
    schedule: 'every 1 minutes',
    region: REGION,
    // Budget + lease must fit (checked when settings are read): the default 50 s + 120 s does.
    timeoutSeconds: DRAIN_TIMEOUT_SECONDS,
    // One drain per instance: under a backlog the next tick must not run beside this one on the
    // same instance, sharing its memory and its sender's concurrency (which the lease floor does
    // not account for). Overlapping runs on different instances are safe: claims are exclusive.
    concurrency: 1,
    // A capped-heap run of one drain peaked near 103 MiB (README, Benchmarks): 256 MiB leaves
    // more than twice that as headroom.
    memory: '256MiB',
  },
  async (event) => {
    const s = readSettings();
    const report = await drainDuePushes(productionDeps(s), {
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
  },
);
