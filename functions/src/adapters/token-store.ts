/**
 * `pushTokens/{tokenId}`: one document per device token. All writes go through here.
 */
import { FieldValue, Timestamp, type Firestore } from 'firebase-admin/firestore';
import { createBulkWriter, flush, grpcCode, GRPC } from './bulk-writes';
import { QUERIES } from './queries';
import { devicesBeyondCap } from '../core/device-cap';
import type { SavedToken, StoredToken, TokenStore } from '../use-cases/ports';

export type { SavedToken, StoredToken, TokenStore };

export const PUSH_TOKENS = 'pushTokens';

const millis = (t: unknown): number => (t as Timestamp | undefined)?.toMillis?.() ?? 0;

function storedTokenOf(d: FirebaseFirestore.DocumentSnapshot): StoredToken {
  const locale = d.get('locale') as unknown;
  const timezone = d.get('timezone') as unknown;
  const appVersion = d.get('appVersion') as unknown;
  const createdAt = d.get('createdAt') as unknown;
  return {
    tokenId: d.id,
    uid: d.get('uid'),
    token: d.get('token'),
    platform: d.get('platform'),
    updatedAtMs: millis(d.get('updatedAt')),
    ...(typeof locale === 'string' ? { locale } : {}),
    ...(typeof timezone === 'string' ? { timezone } : {}),
    ...(typeof appVersion === 'string' ? { appVersion } : {}),
    ...(createdAt instanceof Timestamp ? { createdAtMs: createdAt.toMillis() } : {}),
  };
}

export function createTokenStore(db: Firestore): TokenStore {
  const col = db.collection(PUSH_TOKENS);
  return {
    async save(uid, tokenId, input, maxDevices) {
      return db.runTransaction(async (tx) => {
        const ref = col.doc(tokenId);
        // Reads first (a transaction requirement): the token itself and the user's devices.
        const [current, devices] = await Promise.all([
          tx.get(ref),
          tx.get(col.where(QUERIES.tokensByUser.equality[0], '==', uid)),
        ]);
        const now = FieldValue.serverTimestamp();
        const sameOwner = current.exists && current.get('uid') === uid;
        const fields = { uid, ...input, updatedAt: now };
        if (sameOwner) {
          // Same device again: refresh, keep createdAt and any optional field not sent this time.
          tx.set(ref, fields, { merge: true });
        } else {
          // New, or moved from another user: start over so nothing of the previous owner stays.
          tx.set(ref, { ...fields, createdAt: now });
        }
        const others = devices.docs
          .filter((d) => d.id !== tokenId)
          .map((d) => ({ id: d.id, updatedAtMs: millis(d.get('updatedAt')) }));
        const removedTokenIds = devicesBeyondCap(others, maxDevices);
        for (const id of removedTokenIds) tx.delete(col.doc(id));
        return { tokenId, removedTokenIds, movedFromAnotherUser: current.exists && !sameOwner };
      });
    },

    async deleteIfOwnedBy(uid, tokenId) {
      return db.runTransaction(async (tx) => {
        const ref = col.doc(tokenId);
        const snap = await tx.get(ref);
        if (!snap.exists || snap.get('uid') !== uid) return false;
        tx.delete(ref);
        return true;
      });
    },

    async delete(tokenId) {
      await col.doc(tokenId).delete();
    },

    async deleteStale(beforeMs, limit) {
      const q = QUERIES.staleTokens;
      const snap = await col
        .where(q.order.field, '<', Timestamp.fromMillis(beforeMs))
        .orderBy(q.order.field, q.order.direction)
        .limit(limit)
        .get();
      if (snap.empty) return 0;
      // Each delete holds only if the token is unchanged since this read (its update time): a
      // token the app refreshed meanwhile is no longer stale and survives. Independent writes
      // (not one batch), so one refreshed token does not keep the others.
      const w = createBulkWriter(db);
      let deleted = 0;
      const writes = snap.docs.map((d) =>
        w.delete(d.ref, { lastUpdateTime: d.updateTime }).then(
          () => void deleted++,
          (err: unknown) => {
            // Refreshed (FAILED_PRECONDITION) or already gone (NOT_FOUND): not ours to delete.
            const code = grpcCode(err);
            if (code !== GRPC.FAILED_PRECONDITION && code !== GRPC.NOT_FOUND) throw err;
          },
        ),
      );
      await flush(w, writes);
      return deleted;
    },

    async listByUser(uid) {
      const snap = await col.where(QUERIES.tokensByUser.equality[0], '==', uid).get();
      return snap.docs.map(storedTokenOf);
    },

    async listByUsers(uids) {
      const unique = [...new Set(uids)];
      const out = new Map<string, StoredToken[]>(unique.map((uid) => [uid, []]));
      // An `in` filter takes at most 30 values: a page of 500 notifications is 17 queries.
      const field = QUERIES.tokensByUser.equality[0];
      const chunks: string[][] = [];
      for (let i = 0; i < unique.length; i += 30) chunks.push(unique.slice(i, i + 30));
      const snaps = await Promise.all(chunks.map((c) => col.where(field, 'in', c).get()));
      for (const snap of snaps) {
        for (const d of snap.docs) out.get(d.get(field) as string)?.push(storedTokenOf(d));
      }
      return out;
    },

    async getMany(tokenIds) {
      const unique = [...new Set(tokenIds)];
      const out = new Map<string, StoredToken>();
      if (unique.length === 0) return out;
      const snaps = await db.getAll(...unique.map((id) => col.doc(id)));
      for (const s of snaps) if (s.exists) out.set(s.id, storedTokenOf(s));
      return out;
    },
  };
}
