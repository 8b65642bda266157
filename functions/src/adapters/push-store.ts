/**
 * `pushes/{pushId}`: the reserved push queue. Claims and result writes use update preconditions
 * (the document's last update time), so of two drains that read the same due push only one can
 * claim it, and a run whose lease was taken over cannot overwrite the new owner's result.
 */
import {
  FieldValue,
  Timestamp,
  type BulkWriter,
  type DocumentSnapshot,
  type Firestore,
  type QueryDocumentSnapshot,
} from 'firebase-admin/firestore';
import type { PlannedPush, PushTarget, QueuedPush } from '../core/push';
import type { PushUpdate } from '../core/send-decision';
import { QUERIES } from './queries';

export const PUSHES = 'pushes';

/** A push this run owns until `leaseUntilMs`. */
export interface ClaimedPush {
  push: QueuedPush;
  leaseUntilMs: number;
  /** Update time of our claim: the precondition of the result write. */
  claimTime: Timestamp;
}

export interface PushStore {
  createAll(pushes: readonly PlannedPush[], nowMs: number): Promise<{ created: number }>;
  cancelPendingByKey(key: string, exceptIds: ReadonlySet<string>): Promise<string[]>;
  findDue(nowMs: number, limit: number): Promise<QueryDocumentSnapshot[]>;
  getAll(ids: readonly string[]): Promise<DocumentSnapshot[]>;
  claim(
    snaps: readonly DocumentSnapshot[],
    options: { nowMs: number; leaseMs: number; runId: string },
  ): Promise<ClaimedPush[]>;
  /** Writes results; answers the ids whose write lost its precondition (lease taken over). */
  writeResults(
    results: ReadonlyArray<{ claimed: ClaimedPush; update: PushUpdate; nowMs: number }>,
  ): Promise<{ written: number; lostLease: string[] }>;
}

const ts = (ms: number) => Timestamp.fromMillis(ms);
const GRPC_ALREADY_EXISTS = 6;
const GRPC_FAILED_PRECONDITION = 9;

function withoutUndefined<T extends Record<string, unknown>>(obj: T): T {
  return Object.fromEntries(Object.entries(obj).filter(([, v]) => v !== undefined)) as T;
}

function documentOf(p: PlannedPush, nowMs: number): Record<string, unknown> {
  const r = p.request;
  return withoutUndefined({
    target: withoutUndefined({ ...p.target, uid: p.uid }),
    uid: p.uid,
    pushToken: 'token' in p.target ? p.target.token : undefined,
    title: r.title,
    content: r.content,
    image: r.image,
    data: r.data ?? {},
    android: r.android,
    apns: r.apns,
    webpush: r.webpush,
    collapseKey: r.collapseKey,
    ttlSeconds: r.ttlSeconds,
    priority: r.priority,
    key: r.key,
    isChecked: true,
    isSent: false,
    status: 'pending',
    reservedAt: ts(p.reservedAtMs),
    expiresAt: r.expiresAtMs !== undefined ? ts(r.expiresAtMs) : undefined,
    nextAttemptAt: ts(p.reservedAtMs),
    attempts: 0,
    result: null,
    source: p.source,
    createdAt: ts(nowMs),
    history: [{ at: ts(nowMs), event: 'queued' }],
  });
}

function targetOf(data: FirebaseFirestore.DocumentData): PushTarget {
  const t = data.target ?? {};
  if (typeof t.token === 'string') return { token: t.token };
  if (typeof t.topic === 'string') return { topic: t.topic };
  return { condition: String(t.condition) };
}

export function queuedPushOf(snap: DocumentSnapshot): QueuedPush {
  const d = snap.data() ?? {};
  return withoutUndefined({
    id: snap.id,
    target: targetOf(d),
    title: d.title,
    content: d.content,
    image: d.image,
    data: d.data,
    collapseKey: d.collapseKey,
    ttlSeconds: d.ttlSeconds,
    priority: d.priority,
    android: d.android,
    apns: d.apns,
    webpush: d.webpush,
    attempts: typeof d.attempts === 'number' ? d.attempts : 0,
    expiresAtMs: d.expiresAt instanceof Timestamp ? d.expiresAt.toMillis() : undefined,
  });
}

/** Still due at `nowMs`: unsent, not final, next attempt (or lease end) reached. */
function isDue(snap: DocumentSnapshot, nowMs: number): boolean {
  const d = snap.data();
  if (!d || d.isSent !== false) return false;
  if (d.status !== 'pending' && d.status !== 'sending') return false;
  const next = d.nextAttemptAt;
  return next instanceof Timestamp && next.toMillis() <= nowMs;
}

/**
 * Closes the writer and waits for every write's own handling. Handlers are attached (allSettled)
 * before anything can reject, so no rejection goes unhandled while the writer flushes.
 */
async function flush(w: BulkWriter, writes: Array<Promise<unknown>>): Promise<void> {
  const settled = Promise.allSettled(writes);
  await w.close();
  const failed = (await settled).find((r) => r.status === 'rejected');
  if (failed) throw (failed as PromiseRejectedResult).reason;
}

export function createPushStore(db: Firestore): PushStore {
  const col = db.collection(PUSHES);

  function writer() {
    const w = db.bulkWriter();
    // Preconditions and create-if-absent fail by design; everything else keeps the default retries.
    w.onWriteError((err) => {
      if (err.code === GRPC_ALREADY_EXISTS || err.code === GRPC_FAILED_PRECONDITION) return false;
      return err.failedAttempts < 5;
    });
    return w;
  }

  return {
    async createAll(pushes, nowMs) {
      const w = writer();
      let created = 0;
      const writes = pushes.map((p) =>
        w.create(col.doc(p.id), documentOf(p, nowMs)).then(
          () => void created++,
          (err) => {
            if (err.code !== GRPC_ALREADY_EXISTS) throw err;
          },
        ),
      );
      await flush(w, writes);
      return { created };
    },

    async cancelPendingByKey(key, exceptIds) {
      const q = QUERIES.pendingPushesByKey;
      const snap = await col
        .where(q.equality[0], '==', key)
        .where(q.equality[1], '==', 'pending')
        .get();
      const w = writer();
      const cancelled: string[] = [];
      const writes = snap.docs
        .filter((d) => !exceptIds.has(d.id))
        .map((d) =>
          w
            .update(
              d.ref,
              {
                status: 'cancelled',
                nextAttemptAt: FieldValue.delete(),
                result: { code: 'CANCELLED', message: `Replaced or cancelled by key ${key}.` },
                history: FieldValue.arrayUnion({ at: Timestamp.now(), event: 'cancelled', key }),
              },
              { lastUpdateTime: d.updateTime },
            )
            .then(
              () => void cancelled.push(d.id),
              () => undefined, // Claimed meanwhile: it is being sent; not ours to cancel any more.
            ),
        );
      await flush(w, writes);
      return cancelled;
    },

    async findDue(nowMs, limit) {
      const q = QUERIES.duePushes;
      const snap = await col
        .where(q.equality[0], '==', false)
        .where(q.order.field, '<=', ts(nowMs))
        .orderBy(q.order.field, q.order.direction)
        .limit(limit)
        .get();
      return snap.docs;
    },

    async getAll(ids) {
      if (ids.length === 0) return [];
      return db.getAll(...ids.map((id) => col.doc(id)));
    },

    async claim(snaps, { nowMs, leaseMs, runId }) {
      const leaseUntilMs = nowMs + leaseMs;
      const w = writer();
      const claimed: ClaimedPush[] = [];
      const writes = snaps
        .filter((s) => isDue(s, nowMs) && s.updateTime)
        .map((s) =>
          w
            .update(
              s.ref,
              {
                status: 'sending',
                leaseUntil: ts(leaseUntilMs),
                // While leased the push is not due; if this run dies it becomes due at lease end.
                nextAttemptAt: ts(leaseUntilMs),
                attempts: FieldValue.increment(1),
                claimedBy: runId,
                history: FieldValue.arrayUnion({
                  at: ts(nowMs),
                  event: 'claimed',
                  by: runId,
                  attempt: (s.get('attempts') ?? 0) + 1,
                }),
              },
              { lastUpdateTime: s.updateTime! },
            )
            .then(
              (res) => {
                const push = queuedPushOf(s);
                push.attempts += 1;
                claimed.push({ push, leaseUntilMs, claimTime: res.writeTime });
              },
              () => undefined, // Another run claimed it first.
            ),
        );
      await flush(w, writes);
      return claimed;
    },

    async writeResults(results) {
      const w = writer();
      let written = 0;
      const lostLease: string[] = [];
      const writes = results.map(({ claimed, update, nowMs }) => {
        const fields: Record<string, unknown> = {
          status: update.status,
          isSent: update.isSent,
          result: update.result,
          leaseUntil: FieldValue.delete(),
          claimedBy: FieldValue.delete(),
          nextAttemptAt:
            update.nextAttemptAtMs !== undefined ? ts(update.nextAttemptAtMs) : FieldValue.delete(),
        };
        if (update.isSent) fields.sentAt = ts(nowMs);
        // A short audit trail for operators (fcm-push show): one entry per state change.
        fields.history = FieldValue.arrayUnion(
          withoutUndefined({ at: ts(nowMs), event: update.status, code: update.result.code }),
        );
        if (update.status !== 'pending') fields.finishedAt = ts(nowMs);
        return w
          .update(col.doc(claimed.push.id), fields, { lastUpdateTime: claimed.claimTime })
          .then(
            () => void written++,
            (err) => {
              if (err.code === GRPC_FAILED_PRECONDITION) lostLease.push(claimed.push.id);
              else throw err;
            },
          );
      });
      await flush(w, writes);
      return { written, lostLease };
    },
  };
}
