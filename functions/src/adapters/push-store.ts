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
  type DocumentData,
  type DocumentSnapshot,
  type Firestore,
} from 'firebase-admin/firestore';
import type { PlannedPush, PushTarget, QueuedPush } from '../core/push';
import type { PushContent, PushRequest } from '../core/push-request';
import { categoryOf } from '../core/preferences';
import {
  notOwnedUpdate,
  QUIET_HOURS_CODE,
  quietHoursExpiredResult,
  quietHoursResult,
  type PushUpdate,
} from '../core/send-decision';
import { deliveryShardOf, isShard, shardOf, type Shard } from '../core/shard';
import { tokenIdOf } from '../core/token-id';
import { queueReads, type DueQueries } from './due-queries';
import { createBulkWriter, createIfAbsent, flush, updateIfUnchanged } from './bulk-writes';
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
const GRPC_FAILED_PRECONDITION = 9;

/** Writers with the SDK's default retry policy (see bulk-writes.ts); shared by every store. */
export const bulkWriter = (db: Firestore): BulkWriter => createBulkWriter(db);
export { flush };

function withoutUndefined<T extends Record<string, unknown>>(obj: T): T {
  return Object.fromEntries(Object.entries(obj).filter(([, v]) => v !== undefined)) as T;
}

/** What a stored push or notification keeps of its request (one shape in both collections). */
export function requestFields(r: PushRequest): Record<string, unknown> {
  return {
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
    category: categoryOf(r),
    localized: r.localized,
    ignoreQuietHours: r.ignoreQuietHours,
  };
}

/**
 * requestFields' inverse: the content of the request a stored push or notification keeps (fields
 * it does not have come back undefined).
 */
export function storedContentOf(d: DocumentData): PushContent {
  return {
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
    category: typeof d.category === 'string' ? d.category : undefined,
    localized: d.localized,
    ignoreQuietHours: d.ignoreQuietHours === true ? true : undefined,
  };
}

export function pushDocumentOf(
  p: PlannedPush,
  nowMs: number,
  retentionMs = DEFAULT_RETENTION_MS,
): Record<string, unknown> {
  const r = p.request;
  const queued = {
    at: ts(nowMs),
    event: 'queued',
    ...(p.queuedBy !== undefined ? { by: p.queuedBy } : {}),
  };
  // A user's delivery created inside the user's quiet hours: due when they end, or already over.
  const quiet = p.quietHours;
  const deferred =
    quiet?.untilMs !== undefined && quiet.ends === undefined
      ? {
          nextAttemptAt: ts(quiet.untilMs),
          result: quietHoursResult(quiet.quiet, quiet.untilMs),
          history: [
            queued,
            { at: ts(nowMs), event: 'deferred', code: QUIET_HOURS_CODE, until: ts(quiet.untilMs) },
          ],
        }
      : {};
  const ended =
    quiet?.ends === 'expired'
      ? {
          status: 'expired',
          nextAttemptAt: undefined,
          result: quietHoursExpiredResult(quiet.quiet),
          finishedAt: ts(nowMs),
          deleteAt: ts(nowMs + retentionMs),
          history: [queued, { at: ts(nowMs), event: 'expired', code: QUIET_HOURS_CODE }],
        }
      : {};
  return withoutUndefined({
    target: withoutUndefined({ ...p.target, uid: p.uid }),
    uid: p.uid,
    notificationId: p.notificationId,
    pushToken: 'token' in p.target ? p.target.token : undefined,
    ...requestFields(r),
    contentLocale: p.contentLocale,
    isChecked: true,
    isSent: false,
    status: 'pending',
    // The queue's shard (core/shard.ts): a user's delivery shares its notification's.
    shard: deliveryShardOf(p.id, p.notificationId),
    reservedAt: ts(p.reservedAtMs),
    expiresAt: r.expiresAtMs !== undefined ? ts(r.expiresAtMs) : undefined,
    nextAttemptAt: ts(p.reservedAtMs),
    attempts: 0,
    result: null,
    source: p.source,
    createdAt: ts(nowMs),
    history: [queued],
    ...deferred,
    ...ended,
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
    ...storedContentOf(d),
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
  const shard = snap.get('shard') as unknown;
  return {
    id: snap.id,
    version: versionOf(snap.updateTime!),
    status: String(snap.get('status')),
    isSent: snap.get('isSent') === true,
    ...(next instanceof Timestamp ? { nextAttemptAtMs: next.toMillis() } : {}),
    ...(isShard(shard) ? { shard } : {}),
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

const DUE: DueQueries = { byShard: QUERIES.duePushesByShard, whole: QUERIES.duePushes };

/** Transactions in flight at once while claiming a page of user deliveries. */
const OWNED_CLAIM_CONCURRENCY = 4;
/** User deliveries claimed per transaction (two reads each; Firestore allows 500 writes). */
const OWNED_CLAIM_CHUNK = 50;

export function createPushStore(
  db: Firestore,
  options: PushStoreOptions = { retentionMs: DEFAULT_RETENTION_MS },
): PushStore {
  const col = db.collection(PUSHES);
  const tokens = db.collection(PUSH_TOKENS);

  /**
   * A push written before shards existed gets one with its first claim since (its own id's: any
   * shard serves, and only new deliveries need their notification's, to be sent in the same run).
   */
  const shardFor = (r: PushRecord): { shard?: Shard } =>
    r.shard === undefined ? { shard: shardOf(r.id) } : {};

  function claimFields(
    r: PushRecord,
    nowMs: number,
    leaseUntilMs: number,
    runId: string,
  ): Record<string, unknown> {
    const attempts = r.push.attempts;
    return {
      ...shardFor(r),
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
        until:
          update.result.code === QUIET_HOURS_CODE && update.nextAttemptAtMs !== undefined
            ? ts(update.nextAttemptAtMs)
            : undefined,
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
    return updateIfUnchanged(
      db,
      col,
      records,
      (r) => claimFields(r, nowMs, leaseUntilMs, runId),
      (r, claimVersion) => ({
        push: { ...r.push, attempts: r.push.attempts + 1 },
        leaseUntilMs,
        claimVersion,
      }),
    );
  }

  /**
   * Users' device deliveries, a chunk per transaction: the pushes and their tokens are read in one
   * transaction, so each claim commits only if its token still belongs to the push's user at that
   * moment (a registerToken moving it meanwhile makes the transaction retry and see the new
   * owner). A delivery whose token left its user is ended as cancelled in the same transaction.
   * Chunks cost a few round trips for many deliveries instead of three per delivery.
   */
  async function claimOwnedChunk(
    records: readonly PushRecord[],
    nowMs: number,
    leaseUntilMs: number,
    runId: string,
  ): Promise<{ claimed: ClaimedPush[]; notOwned: NotOwnedPush[] }> {
    const tokenOf = (r: PushRecord) => ('token' in r.push.target ? r.push.target.token : '');
    const refs = records.map((r) => col.doc(r.id));
    const tokenRefs = records.map((r) => tokens.doc(tokenIdOf(tokenOf(r))));
    const outcome = await db.runTransaction(async (tx) => {
      const snaps = await tx.getAll(...refs, ...tokenRefs);
      const claimedIds: string[] = [];
      const notOwned: NotOwnedPush[] = [];
      records.forEach((r, i) => {
        const push = snaps[i];
        const device = snaps[records.length + i];
        // Claimed, finished or changed by someone else meanwhile: not ours.
        if (!isDue(push, nowMs) || !push.updateTime || versionOf(push.updateTime) !== r.version)
          return;
        const uid = r.push.uid!;
        if (device.exists && device.get('uid') === uid && device.get('token') === tokenOf(r)) {
          tx.update(refs[i], claimFields(r, nowMs, leaseUntilMs, runId));
          claimedIds.push(r.id);
        } else {
          tx.update(refs[i], resultFields(notOwnedUpdate(), nowMs));
          notOwned.push({ id: r.id, uid });
        }
      });
      return { claimedIds, notOwned };
    });
    if (outcome.claimedIds.length === 0) return { claimed: [], notOwned: outcome.notOwned };
    // Committed: read the claims' update times for the result writes' preconditions.
    const byId = new Map(records.map((r) => [r.id, r]));
    const after = await db.getAll(...outcome.claimedIds.map((id) => col.doc(id)));
    const claimed: ClaimedPush[] = [];
    for (const snap of after) {
      if (snap.get('claimedBy') !== runId || snap.get('status') !== 'sending') continue;
      const r = byId.get(snap.id)!;
      const push = { ...r.push, attempts: r.push.attempts + 1 };
      claimed.push({ push, leaseUntilMs, claimVersion: versionOf(snap.updateTime!) });
    }
    return { claimed, notOwned: outcome.notOwned };
  }

  return {
    createAll: (pushes, nowMs) =>
      createIfAbsent(
        db,
        pushes.map((p) => ({
          ref: col.doc(p.id),
          data: pushDocumentOf(p, nowMs, options.retentionMs),
        })),
      ),

    ...queueReads(col, DUE, pushRecordOf),

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
      const chunks: PushRecord[][] = [];
      for (let i = 0; i < owned.length; i += OWNED_CLAIM_CHUNK)
        chunks.push(owned.slice(i, i + OWNED_CLAIM_CHUNK));
      await eachLimited(chunks, OWNED_CLAIM_CONCURRENCY, async (chunk) => {
        const c = await claimOwnedChunk(chunk, nowMs, leaseUntilMs, runId);
        claimed.push(...c.claimed);
        notOwned.push(...c.notOwned);
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
