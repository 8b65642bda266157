/**
 * The statuses a push and a notification can have, as functions/src/core/push.ts and
 * notification.ts define them (those import node:crypto, so the page keeps a copy;
 * test/unit/console/statuses.test.ts fails when they drift).
 */
export const PUSH_STATUSES = [
  'pending',
  'sending',
  'sent',
  'failed',
  'rejected',
  'expired',
  'cancelled',
  'suppressed',
] as const;

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

export type Collection = 'pushes' | 'notifications';

export const STATUSES_OF: Record<Collection, readonly string[]> = {
  pushes: PUSH_STATUSES,
  notifications: NOTIFICATION_STATUSES,
};

/** What the operator callables accept (functions/src/adapters/operator-actions.ts decides). */
export const RETRYABLE = ['failed', 'rejected', 'expired'];
export const CANCELLABLE = ['pending'];

/** Per-minute counters of pushStatsMinutes, in the order the overview shows them. */
export const MINUTE_COUNTERS = [
  'queued',
  'sent',
  'failed',
  'rejected',
  'expired',
  'cancelled',
  'suppressed',
  'retried',
] as const;
export type MinuteCounter = (typeof MINUTE_COUNTERS)[number];
