/**
 * The statuses a notification and a push can have, which of them operators may act on, and the
 * statistics' counter names: plain data with no imports, so the functions and the operator
 * console (console/src/data/statuses.ts, a browser bundle) import the same lists.
 */

/** The statuses that end a push: sent, or one of the ways it is not. */
export const FINAL_STATUSES = [
  'sent',
  'failed',
  'rejected',
  'expired',
  'cancelled',
  'suppressed',
] as const;

/** A push waits (`pending`), is claimed by a sender (`sending`), then ends. */
export const PUSH_STATUSES = ['pending', 'sending', ...FINAL_STATUSES] as const;
export type PushStatus = (typeof PUSH_STATUSES)[number];

export const NOTIFICATION_STATUSES = [
  'pending',
  'expanding',
  'expanded',
  'undeliverable',
  'cancelled',
  'expired',
  'failed',
  'suppressed',
] as const;
export type NotificationStatus = (typeof NOTIFICATION_STATUSES)[number];

/**
 * Final states a retry may undo. Sent, cancelled and in-flight pushes are not retried
 * (adapters/operator-actions.ts; the console offers Retry on these).
 */
export const RETRYABLE_STATUSES: readonly PushStatus[] = ['failed', 'rejected', 'expired'];

/**
 * The counters of a pushStatsMinutes document (core/stats.ts): one per way a push ends, and
 * `queued`: notifications and pushes the check/outbox path created; `retried`/`cancelled` also
 * count operators' actions; `undeliverable`: notifications whose user had no device when they
 * were due (code NO_DEVICES).
 */
export const STATS_COUNTERS = ['queued', ...FINAL_STATUSES, 'retried', 'undeliverable'] as const;
export type StatsCounter = (typeof STATS_COUNTERS)[number];
