/** drainReservedPushes: every minute, send the pushes that are due (see use-cases/drain-pushes). */
import { onSchedule } from 'firebase-functions/v2/scheduler';
import * as logger from 'firebase-functions/logger';
import { REGION, readSettings } from '../config/params';
import { deliveryDeps } from '../adapters/delivery-deps';
import { drainDuePushes } from '../use-cases/drain-pushes';

export const drainReservedPushes = onSchedule(
  // The time budget (default 50 s) ends claiming well inside the timeout; overlapping runs are
  // safe (claims are exclusive), so no instance limit is needed.
  { schedule: 'every 1 minutes', region: REGION, timeoutSeconds: 120, memory: '256MiB' },
  async (event) => {
    const s = readSettings();
    const report = await drainDuePushes(deliveryDeps(), {
      batchSize: s.drainBatchSize,
      timeBudgetMs: s.drainTimeBudgetMs,
      leaseMs: s.leaseMs,
      maxAttempts: s.maxAttempts,
      backoffBaseMs: s.backoffBaseMs,
      runId: `drain:${event.scheduleTime}:${Math.random().toString(36).slice(2, 8)}`,
    });
    logger.info('drain.finished', { ...report });
  },
);
