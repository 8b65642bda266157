/**
 * `pushes/{pushId}`: the delivery queue (one document = one message to one device, topic or
 * condition). Claims and result writes use update preconditions (the document's last update
 * time), so of two drains that read the same due push only one can claim it, and a run whose
 * lease was taken over cannot overwrite the new owner's result. A user's device delivery is
 * claimed in a transaction that also reads the token: the claim commits only while the token
 * still belongs to that user.
 */
import {
  FieldValue,
  Timestamp,
  type BulkWriter,
  type DocumentSnapshot,
  type Firestore,
} from 'firebase-admin/firestore';
import type { PlannedPush, PushTarget, QueuedPush } from '../core/push';
import { notOwnedUpdate, type PushUpdate } from '../core/send-decision';
import { tokenIdOf } from '../core/token-id';
import { createBulkWriter, flush } from './bulk-writes';
import type {
  ClaimedPush,
  ClaimResult,
  NotOwnedPush,
  PushRecord,
  PushStore,
} from '../use-cases/ports';
import { QUERIES } from './queries';
import { PUSH_TOKENS } from './token-store';
import { timestampOf, versionOf } from './versions';

export type { ClaimedPush, ClaimResult, NotOwnedPush, PushRecord, PushStore };

export const PUSHES = 'pushes';

export interface PushStoreOptions {
  /** Finished pushes get `deleteAt` (a Firestore TTL field) this long after they finish. */
  retentionMs: number;
}

export const DEFAULT_RETENTION_MS = 30 * 24 * 60 * 60 * 1000;

const ts = (ms: number) => Timestamp.fromMillis(ms);
const GRPC_ALREADY_EXISTS = 6;
const GRPC_FAILED_PRECONDITION = 9;

/** Writers with the SDK's default retry policy (see bulk-writes.ts); shared by every store. */
export const bulkWriter = (db: Firestore): BulkWriter => createBulkWriter(db);
export { flush };

function withoutUndefined<T extends Record<string, unknown>>(obj: T): T {
  return Object.fromEntries(Object.entries(obj).filter(([, v]) => v !== undefined)) as T;
}

export function pushDocumentOf(p: PlannedPush, nowMs: number): Record<string, unknown> {
  const r = p.request;
  return withoutUndefined({
    target: withoutUndefined({ ...p.target, uid: p.uid }),
    uid: p.uid,
    notificationId: p.notificationId,
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
    uid: typeof d.uid === 'string' && typeof d.target?.token === 'string' ? d.uid : undefined,
  });
}

/** Fields that end a push: out of the queue, and deleted by the TTL policy after retention. */
export function finishedFields(nowMs: number, retentionMs: number): Record<string, unknown> {
  return {
    nextAttemptAt: FieldValue.delete(),
    leaseUntil: FieldValue.delete(),
    claimedBy: FieldValue.delete(),
    finishedAt: ts(nowMs),
    deleteAt: ts(nowMs + retentionMs),
  };
}

export function pushRecordOf(snap: DocumentSnapshot): PushRecord {
  const next = snap.get('nextAttemptAt') as unknown;
  return {
    id: snap.id,
    version: versionOf(snap.updateTime!),
    status: String(snap.get('status')),
    isSent: snap.get('isSent') === true,
    ...(next instanceof Timestamp ? { nextAttemptAtMs: next.toMillis() } : {}),
    push: queuedPushOf(snap),
  };
}

/** Still due at `nowMs` (read as a record): unsent, not final, next attempt reached. */
function recordIsDue(r: PushRecord, nowMs: number): boolean {
  if (r.isSent) return false;
  if (r.status !== 'pending' && r.status !== 'sending') return false;
  return r.nextAttemptAtMs !== undefined && r.nextAttemptAtMs <= nowMs;
}

export function isDueAt(next: unknown, nowMs: number): boolean {
  return next instanceof Timestamp && next.toMillis() <= nowMs;
}

/** Still due at `nowMs`: unsent, not final, next attempt (or lease end) reached. */
export function isDue(snap: DocumentSnapshot, nowMs: number): boolean {
  const d = snap.data();
  if (!d || d.isSent !== false) return false;
  if (d.status !== 'pending' && d.status !== 'sending') return false;
  const next = d.nextAttemptAt;
  return next instanceof Timestamp && next.toMillis() <= nowMs;
}

/** Runs `fn` over `items`, at most `limit` at a time. */
async function eachLimited<T>(
  items: readonly T[],
  limit: number,
  fn: (item: T) => Promise<void>,
): Promise<void> {
  let next = 0;
  const worker = async () => {
    while (next < items.length) await fn(items[next++]);
  };
  await Promise.all(Array.from({ length: Math.min(limit, items.length) }, worker));
}

/** Transactions in flight at once while claiming a page of user deliveries. */
const OWNED_CLAIM_CONCURRENCY = 50;

export function createPushStore(
  db: Firestore,
  options: PushStoreOptions = { retentionMs: DEFAULT_RETENTION_MS },
): PushStore {
  const col = db.collection(PUSHES);
  const tokens = db.collection(PUSH_TOKENS);

  function claimFields(attempts: number, nowMs: number, leaseUntilMs: number, runId: string) {
    return {
      status: 'sending',
      leaseUntil: ts(leaseUntilMs),
      // While leased the push is not due; if this run dies it becomes due at lease end.
      nextAttemptAt: ts(leaseUntilMs),
      attempts: FieldValue.increment(1),
      claimedBy: runId,
      // Firestore's commit time of this claim: comparable with a token's update time, so an
      // audit (the chaos run's misdelivered count) can tell whether the token was still the
      // user's when the claim committed.
      claimCommittedAt: FieldValue.serverTimestamp(),
      history: FieldValue.arrayUnion({
        at: ts(nowMs),
        event: 'claimed',
        by: runId,
        attempt: attempts + 1,
      }),
    };
  }

  function resultFields(update: PushUpdate, nowMs: number): Record<string, unknown> {
    const fields: Record<string, unknown> = {
      status: update.status,
      isSent: update.isSent,
      result: update.result,
      leaseUntil: FieldValue.delete(),
      claimedBy: FieldValue.delete(),
    };
    if (update.status === 'pending') {
      fields.nextAttemptAt = ts(update.nextAttemptAtMs ?? nowMs);
    } else {
      Object.assign(fields, finishedFields(nowMs, options.retentionMs));
    }
    if (update.refundAttempt) fields.attempts = FieldValue.increment(-1);
    if (update.isSent) fields.sentAt = ts(nowMs);
    // A short audit trail for operators (fcm-push show): one entry per state change.
    fields.history = FieldValue.arrayUnion(
      withoutUndefined({
        at: ts(nowMs),
        event: update.refundAttempt ? 'deferred' : update.status,
        code: update.result.code,
      }),
    );
    return fields;
  }

  /** Token, topic and condition pushes: one conditional update each, in bulk. */
  async function claimUnowned(
    records: readonly PushRecord[],
    nowMs: number,
    leaseUntilMs: number,
    runId: string,
  ): Promise<ClaimedPush[]> {
    const w = bulkWriter(db);
    const claimed: ClaimedPush[] = [];
    const writes = records.map((r) =>
      w
        .update(col.doc(r.id), claimFields(r.push.attempts, nowMs, leaseUntilMs, runId), {
          lastUpdateTime: timestampOf(r.version),
        })
        .then(
          (res) => {
            const push = { ...r.push, attempts: r.push.attempts + 1 };
            claimed.push({ push, leaseUntilMs, claimVersion: versionOf(res.writeTime) });
          },
          () => undefined, // Another run claimed it first.
        ),
    );
    await flush(w, writes);
    return claimed;
  }

  /**
   * A user's device delivery: the push and its token are read in one transaction, so the claim
   * commits only if the token still belongs to the push's user at that moment (a registerToken
   * moving it meanwhile makes the transaction retry and see the new owner). A delivery whose
   * token left the user is ended as cancelled in the same transaction.
   */
  async function claimOwned(
    r: PushRecord,
    uid: string,
    token: string,
    nowMs: number,
    leaseUntilMs: number,
    runId: string,
  ): Promise<{ claimed?: ClaimedPush; notOwned?: NotOwnedPush }> {
    const ref = col.doc(r.id);
    const tokenRef = tokens.doc(tokenIdOf(token));
    const outcome = await db.runTransaction(async (tx) => {
      const [push, device] = await tx.getAll(ref, tokenRef);
      if (!isDue(push, nowMs) || !push.updateTime || versionOf(push.updateTime) !== r.version) {
        return { kind: 'skipped' as const }; // Claimed, finished or changed by someone else meanwhile.
      }
      if (device.exists && device.get('uid') === uid && device.get('token') === token) {
        tx.update(ref, claimFields(r.push.attempts, nowMs, leaseUntilMs, runId));
        return { kind: 'claimed' as const };
      }
      tx.update(ref, resultFields(notOwnedUpdate(), nowMs));
      return { kind: 'not-owned' as const };
    });
    if (outcome.kind === 'skipped') return {};
    if (outcome.kind === 'not-owned') return { notOwned: { id: r.id, uid } };
    // The transaction committed; read the claim's update time for the result write's precondition.
    const after = await ref.get();
    if (after.get('claimedBy') !== runId || after.get('status') !== 'sending') return {};
    const push = { ...r.push, attempts: r.push.attempts + 1 };
    return { claimed: { push, leaseUntilMs, claimVersion: versionOf(after.updateTime!) } };
  }

  return {
    async createAll(pushes, nowMs) {
      const w = bulkWriter(db);
      let created = 0;
      const writes = pushes.map((p) =>
        w.create(col.doc(p.id), pushDocumentOf(p, nowMs)).then(
          () => void created++,
          (err) => {
            if (err.code !== GRPC_ALREADY_EXISTS) throw err;
          },
        ),
      );
      await flush(w, writes);
      return { created };
    },

    async findDue(nowMs, limit) {
      const q = QUERIES.duePushes;
      const snap = await col
        .where(q.equality[0], '==', false)
        .where(q.order.field, '<=', ts(nowMs))
        .orderBy(q.order.field, q.order.direction)
        .limit(limit)
        .get();
      return snap.docs.map(pushRecordOf);
    },

    async getAll(ids) {
      if (ids.length === 0) return [];
      const snaps = await db.getAll(...ids.map((id) => col.doc(id)));
      return snaps.filter((s) => s.exists).map(pushRecordOf);
    },

    async claim(records, { nowMs, leaseMs, runId }) {
      const leaseUntilMs = nowMs + leaseMs;
      const due = records.filter((r) => recordIsDue(r, nowMs));
      const owned = due.filter((r) => r.push.uid !== undefined && 'token' in r.push.target);
      const ownedIds = new Set(owned.map((r) => r.id));
      const claimed = await claimUnowned(
        due.filter((r) => !ownedIds.has(r.id)),
        nowMs,
        leaseUntilMs,
        runId,
      );
      const notOwned: NotOwnedPush[] = [];
      await eachLimited(owned, OWNED_CLAIM_CONCURRENCY, async (r) => {
        const token = 'token' in r.push.target ? r.push.target.token : '';
        const c = await claimOwned(r, r.push.uid!, token, nowMs, leaseUntilMs, runId);
        if (c.claimed) claimed.push(c.claimed);
        if (c.notOwned) notOwned.push(c.notOwned);
      });
      return { claimed, notOwned };
    },

    async writeResults(results) {
      const w = bulkWriter(db);
      let written = 0;
      const lostLease: string[] = [];
      const writes = results.map(({ claimed, update, nowMs }) =>
        w
          .update(col.doc(claimed.push.id), resultFields(update, nowMs), {
            lastUpdateTime: timestampOf(claimed.claimVersion),
          })
          .then(
            () => void written++,
            (err) => {
              if (err.code === GRPC_FAILED_PRECONDITION) lostLease.push(claimed.push.id);
              else throw err;
            },
          ),
      );
      await flush(w, writes);
      return { written, lostLease };
    },
  };
}
