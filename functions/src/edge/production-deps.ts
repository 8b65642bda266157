import { firestore } from '../adapters/firebase-app';
import { fcmSender } from '../adapters/fcm-sender';
import { createStores, type Stores } from '../adapters/stores';
import type { DrainDeps } from '../use-cases/drain-pushes';
import type { QueueDeps } from '../use-cases/queue-pushes';

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
  };
}
