/**
 * `pushTokens/{tokenId}`: one document per device token. All writes go through here.
 */
import { FieldValue, Timestamp, type Firestore } from 'firebase-admin/firestore';
import { createBulkWriter, flush, grpcCode, GRPC } from './bulk-writes';
import { QUERIES } from './queries';
import { devicesBeyondCap } from '../core/device-cap';
import type { RegisterTokenInput } from '../core/token-registration';

export const PUSH_TOKENS = 'pushTokens';

export interface SavedToken {
  tokenId: string;
  /** Ids of this user's older devices removed by the device cap. */
  removedTokenIds: string[];
  /** True when the token belonged to another user before this save. */
  movedFromAnotherUser: boolean;
}

export interface StoredToken {
  tokenId: string;
  uid: string;
  token: string;
  platform: string;
  updatedAtMs: number;
}

export interface TokenStore {
  save(
    uid: string,
    tokenId: string,
    input: RegisterTokenInput,
    maxDevices: number,
  ): Promise<SavedToken>;
  /** Deletes the token only when it belongs to `uid`; says whether it did. */
  deleteIfOwnedBy(uid: string, tokenId: string): Promise<boolean>;
  /** Deletes the token whoever owns it (FCM said it is dead). */
  delete(tokenId: string): Promise<void>;
  listByUser(uid: string): Promise<StoredToken[]>;
  /**
   * Deletes up to `limit` tokens last updated before `beforeMs`, each only if unchanged since it
   * was read (a token refreshed meanwhile survives); answers how many it really deleted.
   */
  deleteStale(beforeMs: number, limit: number): Promise<number>;
}

const millis = (t: unknown): number => (t as Timestamp | undefined)?.toMillis?.() ?? 0;

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
      return snap.docs.map((d) => ({
        tokenId: d.id,
        uid: d.get('uid'),
        token: d.get('token'),
        platform: d.get('platform'),
        updatedAtMs: millis(d.get('updatedAt')),
      }));
    },
  };
}
