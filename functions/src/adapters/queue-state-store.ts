/**
 * `pushQueue/{id}`: the shard workers' coordination, a few small documents.
 *
 * - `shard-00` … `shard-63`, `unsharded`: one per shard key. `owner` and `leaseUntil` say which
 *   worker drains the shard (taken and renewed in transactions, so two workers never hold it
 *   together); `queuedAt` says a task for it was enqueued and has not started yet, so the
 *   dispatcher does not pile up tasks for a shard whose task waits for a free dispatch.
 * - `quota`: `until`, the time before which no worker sends (FCM answered QUOTA_EXCEEDED with
 *   Retry-After or the 60 s floor); every worker reads it before each page, so the fleet slows
 *   down together instead of each worker finding out on its own.
 *
 * Nobody but the functions reads or writes them (firestore.rules deny clients everything).
 */
import { FieldValue, Timestamp, type Firestore } from 'firebase-admin/firestore';
import type { QuotaStore, ShardKey, ShardLeaseStore, ShardState } from '../use-cases/ports';

export const PUSH_QUEUE = 'pushQueue';
export const QUOTA_DOC = 'quota';

/** The document id of a shard key: `shard-07`, or `unsharded`. */
export function shardDocId(key: ShardKey): string {
  return key === 'unsharded' ? 'unsharded' : `shard-${String(key).padStart(2, '0')}`;
}

const ts = (ms: number) => Timestamp.fromMillis(ms);
const millis = (v: unknown) => (v instanceof Timestamp ? v.toMillis() : undefined);

export function createShardLeaseStore(db: Firestore): ShardLeaseStore {
  const col = db.collection(PUSH_QUEUE);
  const ref = (key: ShardKey) => col.doc(shardDocId(key));

  async function take(
    key: ShardKey,
    owner: string,
    nowMs: number,
    untilMs: number,
    onlyIfOwner: boolean,
  ): Promise<boolean> {
    return db.runTransaction(async (tx) => {
      const snap = await tx.get(ref(key));
      const holder = snap.get('owner') as unknown;
      const leaseUntilMs = millis(snap.get('leaseUntil'));
      const ours = holder === owner;
      const free = !holder || leaseUntilMs === undefined || leaseUntilMs <= nowMs;
      if (onlyIfOwner ? !ours || (leaseUntilMs ?? 0) <= nowMs : !ours && !free) {
        // A task that found its shard held has started all the same: it no longer waits, so
        // the dispatcher must not keep skipping the shard for it once the holder is done.
        if (!onlyIfOwner && snap.get('queuedAt') !== undefined)
          tx.set(ref(key), { queuedAt: FieldValue.delete() }, { merge: true });
        return false;
      }
      tx.set(
        ref(key),
        {
          owner,
          leaseUntil: ts(untilMs),
          ...(onlyIfOwner ? {} : { startedAt: ts(nowMs), queuedAt: FieldValue.delete() }),
        },
        { merge: true },
      );
      return true;
    });
  }

  return {
    acquire: (key, owner, nowMs, untilMs) => take(key, owner, nowMs, untilMs, false),
    renew: (key, owner, nowMs, untilMs) => take(key, owner, nowMs, untilMs, true),

    async release(key, owner, queuedAtMs) {
      await db.runTransaction(async (tx) => {
        const snap = await tx.get(ref(key));
        if (snap.get('owner') !== owner) return;
        tx.set(
          ref(key),
          {
            owner: FieldValue.delete(),
            leaseUntil: FieldValue.delete(),
            // The continuation's mark, or none: a stale mark would make the dispatcher skip a
            // shard that has work and no task (a duplicate task is harmless, a skip is a delay).
            queuedAt: queuedAtMs !== undefined ? ts(queuedAtMs) : FieldValue.delete(),
          },
          { merge: true },
        );
      });
    },

    async states(keys) {
      const out = new Map<ShardKey, ShardState>();
      if (keys.length === 0) return out;
      const snaps = await db.getAll(...keys.map(ref));
      snaps.forEach((snap, i) => {
        const leaseUntilMs = snap.get('owner') ? millis(snap.get('leaseUntil')) : undefined;
        const queuedAtMs = millis(snap.get('queuedAt'));
        out.set(keys[i], {
          ...(leaseUntilMs !== undefined ? { leaseUntilMs } : {}),
          ...(queuedAtMs !== undefined ? { queuedAtMs } : {}),
        });
      });
      return out;
    },

    async markQueued(keys, nowMs) {
      if (keys.length === 0) return;
      const batch = db.batch();
      for (const key of keys) batch.set(ref(key), { queuedAt: ts(nowMs) }, { merge: true });
      await batch.commit();
    },
  };
}

export function createQuotaStore(db: Firestore): QuotaStore {
  const ref = db.collection(PUSH_QUEUE).doc(QUOTA_DOC);
  return {
    async blockedUntil(nowMs) {
      const until = millis((await ref.get()).get('until'));
      return until !== undefined && until > nowMs ? until : undefined;
    },
    async block(untilMs, byRunId) {
      await db.runTransaction(async (tx) => {
        const current = millis((await tx.get(ref)).get('until')) ?? 0;
        if (current >= untilMs) return; // Never shortened by a shorter Retry-After.
        tx.set(ref, { until: ts(untilMs), by: byRunId, at: FieldValue.serverTimestamp() });
      });
    },
  };
}
