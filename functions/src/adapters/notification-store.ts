/**
 * `notifications/{notificationId}`: one document per push request for a user, the in-app inbox's
 * source. Pending until due; then a drain claims it (a lease, like a push), expands it into device
 * deliveries in `pushes`, and ends it as `expanded` (or `undeliverable`, `expired`, `failed`).
 */
import {
  FieldValue,
  Timestamp,
  type DocumentSnapshot,
  type Firestore,
} from 'firebase-admin/firestore';
import type { PlannedNotification, QueuedNotification } from '../core/notification';
import type { PushRequest } from '../core/push-request';
import {
  bulkWriter,
  DEFAULT_RETENTION_MS,
  finishedFields,
  flush,
  isDueAt,
  requestFields,
  storedContentOf,
} from './push-store';
import type {
  ClaimedNotification,
  NotificationEnd,
  NotificationRecord,
  NotificationStore,
} from '../use-cases/ports';
import { isShard, shardOf } from '../core/shard';
import { queueReads, type DueQueries } from './due-queries';
import { createIfAbsent, updateIfUnchanged } from './bulk-writes';
import { QUERIES } from './queries';
import { timestampOf, versionOf } from './versions';

export type { ClaimedNotification, NotificationEnd, NotificationRecord, NotificationStore };

export const NOTIFICATIONS = 'notifications';

const ts = (ms: number) => Timestamp.fromMillis(ms);
const GRPC_FAILED_PRECONDITION = 9;

function withoutUndefined<T extends Record<string, unknown>>(obj: T): T {
  return Object.fromEntries(Object.entries(obj).filter(([, v]) => v !== undefined)) as T;
}

export function notificationDocumentOf(
  n: PlannedNotification,
  nowMs: number,
): Record<string, unknown> {
  const r = n.request;
  return withoutUndefined({
    uid: n.uid,
    target: { uid: n.uid },
    ...requestFields(r),
    isChecked: true,
    isExpanded: false,
    status: 'pending',
    // The queue's shard (core/shard.ts); its deliveries get the same one.
    shard: shardOf(n.id),
    reservedAt: ts(n.reservedAtMs),
    expiresAt: r.expiresAtMs !== undefined ? ts(r.expiresAtMs) : undefined,
    nextAttemptAt: ts(n.reservedAtMs),
    attempts: 0,
    result: null,
    source: n.source,
    createdAt: ts(nowMs),
    history: [
      { at: ts(nowMs), event: 'queued', ...(n.queuedBy !== undefined ? { by: n.queuedBy } : {}) },
    ],
  });
}

const millisOf = (v: unknown) => (v instanceof Timestamp ? v.toMillis() : undefined);

export function queuedNotificationOf(
  snap: DocumentSnapshot,
): QueuedNotification & { expiresAtMs?: number } {
  const d = snap.data() ?? {};
  const expiresAtMs = millisOf(d.expiresAt);
  const request: PushRequest = withoutUndefined({
    to: { uid: String(d.uid) },
    ...storedContentOf(d),
    expiresAtMs,
    key: d.key,
  });
  return withoutUndefined({
    id: snap.id,
    uid: String(d.uid),
    request,
    reservedAtMs: millisOf(d.reservedAt) ?? 0,
    attempts: typeof d.attempts === 'number' ? d.attempts : 0,
    source: d.source,
    expiresAtMs,
  });
}

export function notificationRecordOf(snap: DocumentSnapshot): NotificationRecord {
  const next = snap.get('nextAttemptAt') as unknown;
  const shard = snap.get('shard') as unknown;
  return {
    ...(isShard(shard) ? { shard } : {}),
    id: snap.id,
    version: versionOf(snap.updateTime!),
    status: String(snap.get('status')),
    isExpanded: snap.get('isExpanded') === true,
    ...(isDueAt(next, Number.MAX_SAFE_INTEGER)
      ? { nextAttemptAtMs: (next as Timestamp).toMillis() }
      : {}),
    notification: queuedNotificationOf(snap),
  };
}

export function createNotificationStore(
  db: Firestore,
  options: { retentionMs: number } = { retentionMs: DEFAULT_RETENTION_MS },
): NotificationStore {
  const col = db.collection(NOTIFICATIONS);
  const DUE: DueQueries = {
    byShard: QUERIES.dueNotificationsByShard,
    whole: QUERIES.dueNotifications,
  };
  return {
    createAll: (planned, nowMs) =>
      createIfAbsent(
        db,
        planned.map((n) => ({ ref: col.doc(n.id), data: notificationDocumentOf(n, nowMs) })),
      ),

    ...queueReads(col, DUE, notificationRecordOf),

    async claim(records, { nowMs, leaseMs, runId }) {
      const leaseUntilMs = nowMs + leaseMs;
      const due = records.filter(
        (r) =>
          !r.isExpanded &&
          (r.status === 'pending' || r.status === 'expanding') &&
          r.nextAttemptAtMs !== undefined &&
          r.nextAttemptAtMs <= nowMs,
      );
      return updateIfUnchanged(
        db,
        col,
        due,
        (r) => ({
          // Written before shards existed: it gets one with this claim.
          ...(r.shard === undefined ? { shard: shardOf(r.id) } : {}),
          status: 'expanding',
          leaseUntil: ts(leaseUntilMs),
          nextAttemptAt: ts(leaseUntilMs),
          attempts: FieldValue.increment(1),
          claimedBy: runId,
          history: FieldValue.arrayUnion({
            at: ts(nowMs),
            event: 'claimed',
            by: runId,
            attempt: r.notification.attempts + 1,
          }),
        }),
        (r, claimVersion): ClaimedNotification => ({
          notification: { ...r.notification, attempts: r.notification.attempts + 1 },
          leaseUntilMs,
          claimVersion,
        }),
      );
    },

    async finish(ends, nowMs) {
      const w = bulkWriter(db);
      const lostLease: string[] = [];
      const writes = ends.map(({ claimed, end }) =>
        w
          .update(
            col.doc(claimed.notification.id),
            withoutUndefined({
              status: end.status,
              isExpanded: end.status === 'expanded',
              result: end.result,
              deliveryIds: end.deliveryIds,
              ...finishedFields(nowMs, options.retentionMs),
              history: FieldValue.arrayUnion(
                withoutUndefined({ at: ts(nowMs), event: end.status, code: end.result.code }),
              ),
            }),
            { lastUpdateTime: timestampOf(claimed.claimVersion) },
          )
          .then(
            () => undefined,
            (err) => {
              if (err.code === GRPC_FAILED_PRECONDITION) lostLease.push(claimed.notification.id);
              else throw err;
            },
          ),
      );
      await flush(w, writes);
      return { lostLease };
    },
  };
}
