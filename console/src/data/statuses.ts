/**
 * The statuses a push and a notification can have and the statistics' counters, from the lists the
 * functions use (functions/src/core/statuses.ts: plain data, unlike core/push.ts, which imports
 * node:crypto).
 */
import {
  NOTIFICATION_STATUSES,
  PUSH_STATUSES,
  RETRYABLE_STATUSES,
  STATS_COUNTERS,
  type StatsCounter,
} from '../../../functions/src/core/statuses';

export { NOTIFICATION_STATUSES, PUSH_STATUSES };

export type Collection = 'pushes' | 'notifications';

export const STATUSES_OF: Record<Collection, readonly string[]> = {
  pushes: PUSH_STATUSES,
  notifications: NOTIFICATION_STATUSES,
};

/** What the operator callables accept (functions/src/adapters/operator-actions.ts decides). */
export const RETRYABLE: readonly string[] = RETRYABLE_STATUSES;
export const CANCELLABLE: readonly string[] = ['pending'];

/** Per-minute counters of pushStatsMinutes the overview shows, in its order (not undeliverable). */
export type MinuteCounter = Exclude<StatsCounter, 'undeliverable'>;
export const MINUTE_COUNTERS = STATS_COUNTERS.filter(
  (c): c is MinuteCounter => c !== 'undeliverable',
);
