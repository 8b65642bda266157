import type { Firestore } from 'firebase-admin/firestore';
import { createKeyStore, type KeyStore } from './key-store';
import { createNotificationStore, type NotificationStore } from './notification-store';
import { createOutboxStore, type OutboxStore } from './outbox-store';
import { createPreferenceStore, type PreferenceStore } from './preference-store';
import { createPushStore, DEFAULT_RETENTION_MS, type PushStore } from './push-store';
import { createStatsStore } from './stats-store';
import type { StatsStore } from '../use-cases/ports';
import { createTokenStore, type TokenStore } from './token-store';

export interface Stores {
  pushes: PushStore;
  notifications: NotificationStore;
  keys: KeyStore;
  tokens: TokenStore;
  outbox: OutboxStore;
  preferences: PreferenceStore;
  /** The console's per-minute counters (pushStatsMinutes). */
  stats: StatsStore;
}

/**
 * Every Firestore store of the product on one database. `retentionMs` sets when finished
 * documents are deleted (their `deleteAt` TTL field).
 */
export function createStores(
  db: Firestore,
  options: { retentionMs: number } = { retentionMs: DEFAULT_RETENTION_MS },
): Stores {
  return {
    pushes: createPushStore(db, options),
    notifications: createNotificationStore(db, options),
    keys: createKeyStore(db, options),
    tokens: createTokenStore(db),
    outbox: createOutboxStore(db, options),
    preferences: createPreferenceStore(db),
    stats: createStatsStore(db),
  };
}
