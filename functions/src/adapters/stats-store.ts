/**
 * The operator console's statistics documents (see core/stats.ts):
 *
 * - `pushStatsMinutes/{YYYYMMDDHHmm}_{shard}`: per-minute counters, each write one
 *   `set(..., {merge: true})` of FieldValue.increment values (no read, no transaction), to a
 *   shard picked at random; `deleteAt` (TTL) two days after the minute.
 * - `pushStats/overview`: the current state, recounted by the dispatcher each tick with count()
 *   aggregations (one per status of each collection, one per due backlog) and two limit(1) reads
 *   for the oldest due document.
 */
import { FieldValue, Timestamp, type Firestore } from 'firebase-admin/firestore';
import { NOTIFICATION_STATUSES, type NotificationStatus } from '../core/notification';
import { PUSH_STATUSES, type PushStatus } from '../core/push';
import {
  STATS_RETENTION_MS,
  combineBacklog,
  minuteDocId,
  minuteStartMs,
  statsShardOf,
  type Overview,
  type StatsIncrement,
} from '../core/stats';
import type { OverviewStore, StatsStore } from '../use-cases/ports';
import { NOTIFICATIONS } from './notification-store';
import { PUSHES } from './push-store';
import { QUERIES } from './queries';
import { countByStatus, dueBacklogOf } from './collection-counts';

export const PUSH_STATS_MINUTES = 'pushStatsMinutes';
export const PUSH_STATS = 'pushStats';
export const OVERVIEW_DOC = 'overview';

export function createStatsStore(
  db: Firestore,
  options: { random?: () => number } = {},
): StatsStore {
  const random = options.random ?? Math.random;
  const col = db.collection(PUSH_STATS_MINUTES);
  return {
    async add(increment: StatsIncrement, nowMs: number) {
      const minuteMs = minuteStartMs(nowMs);
      const fields: Record<string, unknown> = {
        minute: Timestamp.fromMillis(minuteMs),
        deleteAt: Timestamp.fromMillis(minuteMs + STATS_RETENTION_MS),
      };
      for (const [counter, n] of Object.entries(increment.counts)) {
        if (n) fields[counter] = FieldValue.increment(n);
      }
      const codes: Record<string, unknown> = {};
      for (const [code, n] of Object.entries(increment.codes)) {
        if (n) codes[code] = FieldValue.increment(n);
      }
      // A nested map, not `codes.<code>` paths: a code is a map key as it is (no escaping).
      if (Object.keys(codes).length > 0) fields.codes = codes;
      await col.doc(minuteDocId(nowMs, statsShardOf(random()))).set(fields, { merge: true });
    },
  };
}

export function createOverviewStore(db: Firestore): OverviewStore {
  const pushes = db.collection(PUSHES);
  const notifications = db.collection(NOTIFICATIONS);
  return {
    async count(nowMs) {
      const [n, p, dueN, dueP] = await Promise.all([
        countByStatus<NotificationStatus>(
          notifications,
          QUERIES.notificationsByStatus,
          NOTIFICATION_STATUSES,
        ),
        countByStatus<PushStatus>(pushes, QUERIES.pushesByStatus, PUSH_STATUSES),
        dueBacklogOf(notifications, QUERIES.dueNotifications, nowMs),
        dueBacklogOf(pushes, QUERIES.duePushes, nowMs),
      ]);
      return { notifications: n, pushes: p, ...combineBacklog([dueN, dueP]) };
    },

    async write(overview: Overview, nowMs: number) {
      await db
        .collection(PUSH_STATS)
        .doc(OVERVIEW_DOC)
        .set({
          updatedAt: Timestamp.fromMillis(nowMs),
          notifications: overview.notifications,
          pushes: overview.pushes,
          dueBacklog: overview.dueBacklog,
          oldestDueAt:
            overview.oldestDueAtMs === null ? null : Timestamp.fromMillis(overview.oldestDueAtMs),
        });
    },
  };
}
