import * as logger from 'firebase-functions/logger';
import { adminApp, firestore } from '../adapters/firebase-app';
import { fcmSender } from '../adapters/fcm-sender';
import { createQuotaStore, createShardLeaseStore } from '../adapters/queue-state-store';
import { createStores, type Stores } from '../adapters/stores';
import { createShardTaskQueue } from '../adapters/task-queue';
import { DRAIN_TIMEOUT_SECONDS } from '../config/settings';
import type { DrainDeps } from '../use-cases/drain-pushes';
import type { QueueDeps } from '../use-cases/queue-pushes';
import type { WorkerDeps } from '../use-cases/shard-workers';

/** The shard worker's name: its task queue is `locations/<region>/functions/drainShard`. */
export const SHARD_WORKER_FUNCTION = 'drainShard';

/**
 * Production dependencies of the queue and send paths: Firestore stores, the instance's FCM
 * sender, the clock. `retentionMs` sets when finished documents are deleted (TTL field).
 */
export function productionDeps(settings: { retentionMs: number }): DrainDeps & QueueDeps & Stores {
  return {
    ...createStores(firestore(), { retentionMs: settings.retentionMs }),
    sender: fcmSender(),
    now: Date.now,
    random: Math.random,
    // Statistics never fail the work they count (use-cases/stats.ts): logged here, and dropped.
    onStatsError: (error) => logger.warn('stats.write_failed', { error }),
  };
}

/**
 * The check path's deps (check triggers, the outbox): its statistics writes are collected in
 * `pendingStats` rather than awaited, so the pushes due now reach FCM first; the trigger ends
 * with `await Promise.all(deps.pendingStats)`.
 */
export function checkPathDeps(settings: { retentionMs: number }) {
  return { ...productionDeps(settings), pendingStats: [] as Array<Promise<void>> };
}

/** What the dispatcher and the shard workers add: shard leases, the quota record, the queue. */
export function shardWorkerDeps(settings: {
  retentionMs: number;
  region: string;
}): WorkerDeps & QueueDeps & Stores {
  const db = firestore();
  return {
    ...productionDeps(settings),
    leases: createShardLeaseStore(db),
    quota: createQuotaStore(db),
    tasks: createShardTaskQueue(adminApp(), {
      functionName: SHARD_WORKER_FUNCTION,
      region: settings.region,
      dispatchDeadlineSeconds: DRAIN_TIMEOUT_SECONDS,
    }),
    sleep: (ms) => new Promise((resolve) => setTimeout(resolve, ms)),
  };
}
