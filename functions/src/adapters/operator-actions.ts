/**
 * What an operator (`fcm-push`) reads and changes in `notifications` and `pushes`: look-ups,
 * listings, retry and cancel. It lives beside the stores that own those documents so their
 * fields are written in one place (finishedFields, the bulk writer). Like the drain's claims,
 * every write carries the document's last update time as a precondition: a document that changed
 * after the operator read it (claimed by a drain, retried by another operator) is left alone and
 * reported instead of being overwritten.
 */
import {
  FieldValue,
  Timestamp,
  type DocumentSnapshot,
  type Firestore,
  type QueryDocumentSnapshot,
} from 'firebase-admin/firestore';
import { NOTIFICATION_STATUSES, type NotificationStatus } from '../core/notification';
import type { PushStatus } from '../core/push';
import { RETRYABLE_STATUSES } from '../core/statuses';
import { createBulkWriter, flush, grpcCode, GRPC } from './bulk-writes';
import { NOTIFICATIONS } from './notification-store';
import { DEFAULT_RETENTION_MS, PUSHES, finishedFields } from './push-store';
import { QUERIES } from './queries';
import { count, emptyIncrement, isEmptyIncrement } from '../core/stats';
import { createStatsStore } from './stats-store';
import type { ChangeOutcome, DocumentKind, OperatorActionStore } from '../use-cases/ports';

export { RETRYABLE_STATUSES };

export type { ChangeOutcome, DocumentKind };

type Action = 'retried' | 'cancelled';

export function kindOf(snap: DocumentSnapshot): DocumentKind {
  return snap.ref.parent.id === NOTIFICATIONS ? 'notification' : 'push';
}

function statusOf(snap: DocumentSnapshot): string {
  return String(snap.get('status') ?? 'unknown');
}

const WHY: Record<DocumentKind, Record<string, string>> = {
  push: {
    sending: 'it is being sent right now',
    pending: 'it is already waiting to be sent',
    sent: 'it was delivered to FCM',
    cancelled: 'it was cancelled',
    suppressed: "its token's owner turned its category off",
  },
  notification: {
    expanding: 'it is being expanded into device deliveries right now',
    expanded: 'its device deliveries are in pushes: cancel those by id (fcm-push show lists them)',
    undeliverable: 'its user had no device when it was due',
    cancelled: 'it was cancelled',
    suppressed: 'its user turned its category off',
  },
};

function refusal(snap: DocumentSnapshot, action: Action): ChangeOutcome {
  const kind = kindOf(snap);
  const status = statusOf(snap);
  const why = WHY[kind][status];
  const allowed =
    action === 'retried'
      ? `${RETRYABLE_STATUSES.join(', ')} pushes`
      : `pending ${kind === 'push' ? 'pushes' : 'notifications'}`;
  return {
    id: snap.id,
    kind,
    ok: false,
    reason: 'refused',
    status,
    message: `${kind} ${snap.id} is ${status}${why ? ` (${why})` : ''}: only ${allowed} can be ${action}.`,
  };
}

function notFound(snap: DocumentSnapshot, message: string): ChangeOutcome {
  return { id: snap.id, ok: false, reason: 'not-found', message };
}

export interface OperatorActions {
  getPushes(ids: readonly string[]): Promise<DocumentSnapshot[]>;
  /**
   * Each id as a notification if one exists, else as a push (which may not exist either): one
   * read for both collections. Ids of both kinds derive from a hash, so they never coincide.
   */
  lookUp(ids: readonly string[]): Promise<DocumentSnapshot[]>;
  /** Newest first; one status, or all of them. */
  recentPushes(status: PushStatus | undefined, limit: number): Promise<QueryDocumentSnapshot[]>;
  /** Newest first; one status, or all of them. */
  recentNotifications(
    status: NotificationStatus | undefined,
    limit: number,
  ): Promise<QueryDocumentSnapshot[]>;
  /** Every push with `status`, a page at a time (newest first, by cursor). */
  pushPagesByStatus(status: PushStatus, pageSize: number): AsyncGenerator<QueryDocumentSnapshot[]>;
  /** The device deliveries an expanded notification recorded (those that still exist). */
  deliveriesOf(notification: DocumentSnapshot): Promise<DocumentSnapshot[]>;
  /**
   * Puts failed/rejected/expired pushes back in the queue, due now, with a fresh attempt budget.
   * Anything else (a notification included) is refused.
   */
  retry(snaps: readonly DocumentSnapshot[], nowMs: number): Promise<ChangeOutcome[]>;
  /** Cancels pending pushes and pending notifications (never one a drain has claimed). */
  cancel(snaps: readonly DocumentSnapshot[], nowMs: number): Promise<ChangeOutcome[]>;
}

export function createOperatorActions(
  db: Firestore,
  options: {
    operator: string;
    retentionMs?: number;
    /** Told why a statistics write failed (the action itself stands). */
    onStatsError?: (error: string) => void;
  },
): OperatorActions {
  const stats = createStatsStore(db);
  const pushes = db.collection(PUSHES);
  const notifications = db.collection(NOTIFICATIONS);
  const operator = options.operator;
  const retentionMs = options.retentionMs ?? DEFAULT_RETENTION_MS;

  /**
   * Applies `fields(snap)` to each snapshot with its update time as precondition; answers one
   * outcome per snapshot, re-reading the ones that changed meanwhile to say what they are now.
   */
  async function guardedUpdate(
    snaps: readonly DocumentSnapshot[],
    fields: (snap: DocumentSnapshot) => { fields: Record<string, unknown>; notes: string[] },
    action: Action,
    nowMs: number,
  ): Promise<ChangeOutcome[]> {
    const w = createBulkWriter(db);
    const outcomes = new Map<string, ChangeOutcome>();
    const changed: DocumentSnapshot[] = [];
    const writes = snaps.map((snap) => {
      const { fields: update, notes } = fields(snap);
      return w.update(snap.ref, update, { lastUpdateTime: snap.updateTime! }).then(
        () =>
          void outcomes.set(snap.ref.path, {
            id: snap.id,
            kind: kindOf(snap),
            ok: true,
            from: statusOf(snap),
            notes,
          }),
        (err) => {
          if (grpcCode(err) !== GRPC.FAILED_PRECONDITION) throw err;
          changed.push(snap);
        },
      );
    });
    await flush(w, writes);
    if (changed.length > 0) {
      for (const now of await db.getAll(...changed.map((s) => s.ref))) {
        const kind = kindOf(now);
        const status = now.exists ? statusOf(now) : 'deleted';
        outcomes.set(now.ref.path, {
          id: now.id,
          kind,
          ok: false,
          reason: 'changed',
          status,
          message: `${kind} ${now.id} changed while being ${action} (now ${status}); left as it is.`,
        });
      }
    }
    // The console's counters, after the writes: `retried` / `cancelled` (code CANCELLED).
    const done = [...outcomes.values()].filter((o) => o.ok).length;
    const increment = emptyIncrement();
    count(increment, action, done, 'CANCELLED');
    // Like the drain's: a failed statistics write is reported and never fails the action.
    if (!isEmptyIncrement(increment)) {
      await stats.add(increment, nowMs).catch((err: unknown) => {
        options.onStatsError?.(err instanceof Error ? err.message : String(err));
      });
    }
    return snaps.map((s) => outcomes.get(s.ref.path)!);
  }

  /** Splits snapshots into those `accept` lets through and outcomes for the rest, in order. */
  async function applyTo(
    snaps: readonly DocumentSnapshot[],
    verdict: (snap: DocumentSnapshot) => ChangeOutcome | undefined,
    fields: (snap: DocumentSnapshot) => { fields: Record<string, unknown>; notes: string[] },
    action: Action,
    nowMs: number,
  ): Promise<ChangeOutcome[]> {
    const out = new Map<DocumentSnapshot, ChangeOutcome>();
    const accepted = snaps.filter((snap) => {
      const refused = verdict(snap);
      if (refused) out.set(snap, refused);
      return !refused;
    });
    const done = await guardedUpdate(accepted, fields, action, nowMs);
    accepted.forEach((snap, i) => out.set(snap, done[i]!));
    return snaps.map((s) => out.get(s)!);
  }

  return {
    async getPushes(ids) {
      if (ids.length === 0) return [];
      return db.getAll(...ids.map((id) => pushes.doc(id)));
    },

    async lookUp(ids) {
      if (ids.length === 0) return [];
      const both = await db.getAll(...ids.flatMap((id) => [notifications.doc(id), pushes.doc(id)]));
      return ids.map((_, i) => (both[2 * i]!.exists ? both[2 * i]! : both[2 * i + 1]!));
    },

    async recentPushes(status, limit) {
      const byStatus = QUERIES.pushesByStatus;
      const all = QUERIES.recentPushes;
      const query =
        status === undefined
          ? pushes.orderBy(all.order.field, all.order.direction)
          : pushes
              .where(byStatus.equality[0], '==', status)
              .orderBy(byStatus.order.field, byStatus.order.direction);
      return (await query.limit(limit).get()).docs;
    },

    async recentNotifications(status, limit) {
      const q = QUERIES.notificationsByStatus;
      const newest = (s: NotificationStatus) =>
        notifications
          .where(q.equality[0], '==', s)
          .orderBy(q.order.field, q.order.direction)
          .limit(limit)
          .get();
      if (status !== undefined) return (await newest(status)).docs;
      // No index orders all notifications by time (createdAt is exempt from single-field
      // indexing), so take the newest `limit` of each status and merge: the overall newest
      // `limit` are among them.
      const pages = await Promise.all(NOTIFICATION_STATUSES.map(newest));
      const millis = (d: QueryDocumentSnapshot) =>
        (d.get(q.order.field) as Timestamp | undefined)?.toMillis() ?? 0;
      return pages
        .flatMap((p) => p.docs)
        .sort((a, b) => millis(b) - millis(a) || (a.id < b.id ? -1 : 1))
        .slice(0, limit);
    },

    async *pushPagesByStatus(status, pageSize) {
      const q = QUERIES.pushesByStatus;
      let last: QueryDocumentSnapshot | undefined;
      for (;;) {
        let query = pushes
          .where(q.equality[0], '==', status)
          .orderBy(q.order.field, q.order.direction)
          .limit(pageSize);
        // A cursor, not "the first page again": a push we could not change would come back forever.
        if (last) query = query.startAfter(last);
        const page = (await query.get()).docs;
        if (page.length === 0) return;
        yield page;
        if (page.length < pageSize) return;
        last = page[page.length - 1];
      }
    },

    async deliveriesOf(notification) {
      const ids = notification.get('deliveryIds');
      if (!Array.isArray(ids) || ids.length === 0) return [];
      const snaps = await db.getAll(...ids.map((id) => pushes.doc(String(id))));
      return snaps.filter((s) => s.exists);
    },

    retry(snaps, nowMs) {
      return applyTo(
        snaps,
        (snap) => {
          if (!snap.exists) return notFound(snap, `push ${snap.id} not found.`);
          if (kindOf(snap) === 'notification') {
            return {
              id: snap.id,
              kind: 'notification',
              ok: false,
              reason: 'refused',
              status: statusOf(snap),
              message:
                `${snap.id} is a notification: retry works on pushes (its device deliveries, ` +
                'listed by fcm-push show).',
            };
          }
          if (!RETRYABLE_STATUSES.includes(statusOf(snap) as PushStatus)) {
            return refusal(snap, 'retried');
          }
          return undefined;
        },
        (snap) => {
          const now = Timestamp.fromMillis(nowMs);
          const notes: string[] = [];
          const fields: Record<string, unknown> = {
            status: 'pending',
            isSent: false,
            attempts: 0,
            nextAttemptAt: now,
            result: null,
            leaseUntil: FieldValue.delete(),
            claimedBy: FieldValue.delete(),
            finishedAt: FieldValue.delete(),
            // Live again: the TTL policy must not delete it.
            deleteAt: FieldValue.delete(),
            history: FieldValue.arrayUnion({ at: now, event: 'retried', by: operator }),
          };
          const expiresAt = snap.get('expiresAt');
          if (expiresAt instanceof Timestamp && expiresAt.toMillis() <= nowMs) {
            // Otherwise the drain would expire it again.
            fields.expiresAt = FieldValue.delete();
            notes.push(`expiresAt ${expiresAt.toDate().toISOString()} had passed and was removed`);
          }
          return { fields, notes };
        },
        'retried',
        nowMs,
      );
    },

    cancel(snaps, nowMs) {
      return applyTo(
        snaps,
        (snap) => {
          if (!snap.exists) {
            return notFound(snap, `${snap.id} not found: no notification or push has this id.`);
          }
          // A notification being expanded is a drain's, like a push being sent.
          return statusOf(snap) === 'pending' ? undefined : refusal(snap, 'cancelled');
        },
        () => {
          const now = Timestamp.fromMillis(nowMs);
          return {
            fields: {
              status: 'cancelled',
              result: { code: 'CANCELLED', message: `Cancelled by ${operator}.` },
              ...finishedFields(nowMs, retentionMs),
              history: FieldValue.arrayUnion({ at: now, event: 'cancelled', by: operator }),
            },
            notes: [],
          };
        },
        'cancelled',
        nowMs,
      );
    },
  };
}

/**
 * The operator callables' view of the same actions: one id at a time, looked up as a
 * notification, else a push (like `fcm-push cancel`), with the operator's uid as `by`.
 */
export function createOperatorActionStore(
  db: Firestore,
  options: Parameters<typeof createOperatorActions>[1],
): OperatorActionStore {
  const actions = createOperatorActions(db, options);
  return {
    async retry(id, nowMs) {
      const [outcome] = await actions.retry(await actions.lookUp([id]), nowMs);
      return outcome!;
    },
    async cancel(id, nowMs) {
      const [outcome] = await actions.cancel(await actions.lookUp([id]), nowMs);
      return outcome!;
    },
  };
}
