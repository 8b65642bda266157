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
  /** The drain: due pushes, oldest first. */
  duePushes: {
    collection: 'pushes',
    equality: ['isSent'],
    order: { field: 'nextAttemptAt', direction: 'asc' },
  },
  /** The drain's first step: notifications for users that are due, to expand into deliveries. */
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
} satisfies Record<string, QuerySpec>;
