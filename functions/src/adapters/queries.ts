/**
 * Every Firestore query the product runs, declared once. Adapters build their queries from these
 * specs, and test/unit/indexes derives the composite indexes they need and checks
 * firestore.indexes.json (the emulator does not enforce indexes; production does).
 */
export interface QuerySpec {
  collection: string;
  /** Fields compared with ==, in the order the query uses them. */
  equality: string[];
  /** The field with a range filter and/or orderBy (at most one here), with its direction. */
  order?: { field: string; direction: 'asc' | 'desc' };
}

export const QUERIES = {
  /**
   * A shard worker: due pushes of its shards, oldest first. `shard` is compared with `==` (one
   * shard) or `in` (up to 30 shards): both are equality filters served by the same index, whose
   * entries are spread over SHARD_COUNT key ranges instead of one.
   */
  duePushesByShard: {
    collection: 'pushes',
    equality: ['isSent', 'shard'],
    order: { field: 'nextAttemptAt', direction: 'asc' },
  },
  /** A shard worker's first step: due notifications of its shards (as dueNotifications). */
  dueNotificationsByShard: {
    collection: 'notifications',
    equality: ['isExpanded', 'shard'],
    order: { field: 'nextAttemptAt', direction: 'asc' },
  },
  /**
   * The single drain (the whole queue), and the legacy query: documents written before shards
   * existed have no `shard`, so no shard query finds them; this one does (filtered to those
   * without a shard). Due pushes, oldest first.
   */
  duePushes: {
    collection: 'pushes',
    equality: ['isSent'],
    order: { field: 'nextAttemptAt', direction: 'asc' },
  },
  /** The single drain's first step (and the legacy query): due notifications, to expand. */
  dueNotifications: {
    collection: 'notifications',
    equality: ['isExpanded'],
    order: { field: 'nextAttemptAt', direction: 'asc' },
  },
  /** In-app inbox (client SDK, rules allow the owner): a user's notifications, newest first. */
  notificationsByUser: {
    collection: 'notifications',
    equality: ['uid'],
    order: { field: 'createdAt', direction: 'desc' },
  },
  /** Operator CLI: notifications by status, newest first. */
  notificationsByStatus: {
    collection: 'notifications',
    equality: ['status'],
    order: { field: 'createdAt', direction: 'desc' },
  },
  /** A user's devices (token store, device cap, uid targets). Single field: automatic index. */
  tokensByUser: { collection: 'pushTokens', equality: ['uid'] },
  /** pruneStaleTokens. Single field: automatic index. */
  staleTokens: {
    collection: 'pushTokens',
    equality: [],
    order: { field: 'updatedAt', direction: 'asc' },
  },
  /** Operator CLI: pushes by status, newest first. */
  pushesByStatus: {
    collection: 'pushes',
    equality: ['status'],
    order: { field: 'createdAt', direction: 'desc' },
  },
  /** Operator CLI (`fcm-push list` without --status): newest pushes. Single field: automatic. */
  recentPushes: {
    collection: 'pushes',
    equality: [],
    order: { field: 'createdAt', direction: 'desc' },
  },
  /** Operator CLI (`fcm-push stats`): failed/rejected pushes counted per result code. */
  failuresByCode: { collection: 'pushes', equality: ['status', 'result.code'] },
  /**
   * Operator console (client SDK, rules allow operators): the Pushes page lists either
   * collection newest first, filtered by nothing, status, uid, or both. Unfiltered and by-status
   * lists reuse recentPushes / pushesByStatus / notificationsByStatus, and notificationsByUser
   * serves the notifications-by-uid list.
   */
  recentNotifications: {
    collection: 'notifications',
    equality: [],
    order: { field: 'createdAt', direction: 'desc' },
  },
  pushesByUser: {
    collection: 'pushes',
    equality: ['uid'],
    order: { field: 'createdAt', direction: 'desc' },
  },
  pushesByUserAndStatus: {
    collection: 'pushes',
    equality: ['uid', 'status'],
    order: { field: 'createdAt', direction: 'desc' },
  },
  notificationsByUserAndStatus: {
    collection: 'notifications',
    equality: ['uid', 'status'],
    order: { field: 'createdAt', direction: 'desc' },
  },
  /** Operator console overview: the per-minute statistics of the last hour (a listener). */
  statsMinutesSince: {
    collection: 'pushStatsMinutes',
    equality: [],
    order: { field: 'minute', direction: 'asc' },
  },
} satisfies Record<string, QuerySpec>;
