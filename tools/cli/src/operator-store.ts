/**
 * The operator's writes to `pushes`: retry and cancel. Like the drain's claims (see
 * functions/src/adapters/push-store.ts), every write carries the document's update time as a
 * precondition, so a push that changed after we read it (claimed by a drain, retried by another
 * operator) is left alone and reported instead of being overwritten.
 */
import {
  FieldValue,
  Timestamp,
  type BulkWriter,
  type DocumentSnapshot,
  type Firestore,
  type QueryDocumentSnapshot,
} from 'firebase-admin/firestore';
import { PUSHES } from '../../../functions/src/adapters/push-store';
import { QUERIES } from '../../../functions/src/adapters/queries';
import type { PushStatus } from '../../../functions/src/core/push';

/** Final states a retry may undo. Sent, cancelled and in-flight pushes are not retried. */
export const RETRYABLE_STATUSES: readonly PushStatus[] = ['failed', 'rejected', 'expired'];

export type ChangeOutcome =
  | { id: string; ok: true; from: string; notes: string[] }
  | {
      id: string;
      ok: false;
      reason: 'not-found' | 'refused' | 'changed';
      status?: string;
      message: string;
    };

const GRPC_FAILED_PRECONDITION = 9;

function statusOf(snap: DocumentSnapshot): string {
  return String(snap.get('status') ?? 'unknown');
}

function refusal(snap: DocumentSnapshot, action: 'retried' | 'cancelled'): ChangeOutcome {
  const status = statusOf(snap);
  const why: Record<string, string> = {
    sending: 'it is being sent right now',
    pending: 'it is already waiting to be sent',
    sent: 'it was delivered to FCM',
    cancelled: 'it was cancelled',
  };
  const allowed = action === 'retried' ? RETRYABLE_STATUSES.join(', ') : 'pending';
  return {
    id: snap.id,
    ok: false,
    reason: 'refused',
    status,
    message:
      `push ${snap.id} is ${status}${why[status] ? ` (${why[status]})` : ''}: ` +
      `only ${allowed} pushes can be ${action}.`,
  };
}

export function createOperatorStore(db: Firestore, operator: string) {
  const col = db.collection(PUSHES);

  function writer(): BulkWriter {
    const w = db.bulkWriter();
    w.onWriteError((err) => err.code !== GRPC_FAILED_PRECONDITION && err.failedAttempts < 5);
    return w;
  }

  /**
   * Applies `fields(snap)` to each snapshot with its update time as precondition; answers one
   * outcome per snapshot, re-reading the ones that changed meanwhile to say what they are now.
   */
  async function guardedUpdate(
    snaps: readonly DocumentSnapshot[],
    fields: (snap: DocumentSnapshot) => { fields: Record<string, unknown>; notes: string[] },
    action: 'retried' | 'cancelled',
  ): Promise<ChangeOutcome[]> {
    const w = writer();
    const outcomes = new Map<string, ChangeOutcome>();
    const changed: string[] = [];
    const writes = snaps.map((snap) => {
      const { fields: update, notes } = fields(snap);
      return w.update(snap.ref, update, { lastUpdateTime: snap.updateTime! }).then(
        () => void outcomes.set(snap.id, { id: snap.id, ok: true, from: statusOf(snap), notes }),
        (err) => {
          if (err.code !== GRPC_FAILED_PRECONDITION) throw err;
          changed.push(snap.id);
        },
      );
    });
    const settled = Promise.allSettled(writes);
    await w.close();
    const failed = (await settled).find((r) => r.status === 'rejected');
    if (failed) throw (failed as PromiseRejectedResult).reason;
    if (changed.length > 0) {
      for (const now of await db.getAll(...changed.map((id) => col.doc(id)))) {
        const status = statusOf(now);
        outcomes.set(now.id, {
          id: now.id,
          ok: false,
          reason: 'changed',
          status,
          message: `push ${now.id} changed while being ${action} (now ${status}); left as it is.`,
        });
      }
    }
    return snaps.map((s) => outcomes.get(s.id)!);
  }

  return {
    async getAll(ids: readonly string[]): Promise<DocumentSnapshot[]> {
      if (ids.length === 0) return [];
      return db.getAll(...ids.map((id) => col.doc(id)));
    },

    /** Newest first; one status, or all of them. */
    async recent(status: PushStatus | undefined, limit: number): Promise<QueryDocumentSnapshot[]> {
      const byStatus = QUERIES.pushesByStatus;
      const all = QUERIES.recentPushes;
      const query =
        status === undefined
          ? col.orderBy(all.order.field, all.order.direction)
          : col
              .where(byStatus.equality[0], '==', status)
              .orderBy(byStatus.order.field, byStatus.order.direction);
      return (await query.limit(limit).get()).docs;
    },

    /** Every push with `status`, a page at a time (newest first, by cursor). */
    async *pagesByStatus(
      status: PushStatus,
      pageSize: number,
    ): AsyncGenerator<QueryDocumentSnapshot[]> {
      const q = QUERIES.pushesByStatus;
      let last: QueryDocumentSnapshot | undefined;
      for (;;) {
        let query = col
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

    /**
     * Puts failed/rejected/expired pushes back in the queue, due now, with a fresh attempt budget.
     * An expiry that has passed is removed too: otherwise the drain would expire the push again.
     */
    async retry(snaps: readonly DocumentSnapshot[], nowMs: number): Promise<ChangeOutcome[]> {
      const out = new Map<DocumentSnapshot, ChangeOutcome>();
      const retryable = snaps.filter((snap) => {
        if (!snap.exists) {
          out.set(snap, notFound(snap));
          return false;
        }
        if (!RETRYABLE_STATUSES.includes(statusOf(snap) as PushStatus)) {
          out.set(snap, refusal(snap, 'retried'));
          return false;
        }
        return true;
      });
      const done = await guardedUpdate(
        retryable,
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
            history: FieldValue.arrayUnion({ at: now, event: 'retried', by: operator }),
          };
          const expiresAt = snap.get('expiresAt');
          if (expiresAt instanceof Timestamp && expiresAt.toMillis() <= nowMs) {
            fields.expiresAt = FieldValue.delete();
            notes.push(`expiresAt ${expiresAt.toDate().toISOString()} had passed and was removed`);
          }
          return { fields, notes };
        },
        'retried',
      );
      retryable.forEach((snap, i) => out.set(snap, done[i]!));
      return snaps.map((s) => out.get(s)!);
    },

    /** Cancels pushes that are still pending (not claimed by a drain). */
    async cancel(snaps: readonly DocumentSnapshot[], nowMs: number): Promise<ChangeOutcome[]> {
      const out = new Map<DocumentSnapshot, ChangeOutcome>();
      const pending = snaps.filter((snap) => {
        if (!snap.exists) {
          out.set(snap, notFound(snap));
          return false;
        }
        if (statusOf(snap) !== 'pending') {
          out.set(snap, refusal(snap, 'cancelled'));
          return false;
        }
        return true;
      });
      const done = await guardedUpdate(
        pending,
        () => {
          const now = Timestamp.fromMillis(nowMs);
          return {
            fields: {
              status: 'cancelled',
              nextAttemptAt: FieldValue.delete(),
              result: { code: 'CANCELLED', message: `Cancelled by ${operator}.` },
              finishedAt: now,
              history: FieldValue.arrayUnion({ at: now, event: 'cancelled', by: operator }),
            },
            notes: [],
          };
        },
        'cancelled',
      );
      pending.forEach((snap, i) => out.set(snap, done[i]!));
      return snaps.map((s) => out.get(s)!);
    },
  };
}

function notFound(snap: DocumentSnapshot): ChangeOutcome {
  return { id: snap.id, ok: false, reason: 'not-found', message: `push ${snap.id} not found.` };
}

export type OperatorStore = ReturnType<typeof createOperatorStore>;
