/**
 * `pushPreferences/{uid}`: what each user controls (categories turned off, quiet hours, time zone,
 * language). Written only by the `setPushPreferences` callable, through here; the owner may read
 * their own document (firestore.rules), nobody else.
 */
import { FieldValue, type Firestore } from 'firebase-admin/firestore';
import { mergePreferences, preferencesFrom, type PushPreferences } from '../core/preferences';
import type { PreferenceStore } from '../use-cases/ports';

export type { PreferenceStore };

export const PUSH_PREFERENCES = 'pushPreferences';

/** The stored form: every field present (null when unset), so a client reads one shape. */
export function preferencesDocumentOf(uid: string, p: PushPreferences): Record<string, unknown> {
  return {
    uid,
    categories: p.categories,
    quietHours: p.quietHours ?? null,
    timezone: p.timezone ?? null,
    locale: p.locale ?? null,
  };
}

export function createPreferenceStore(db: Firestore): PreferenceStore {
  const col = db.collection(PUSH_PREFERENCES);
  return {
    async get(uid) {
      const snap = await col.doc(uid).get();
      return snap.exists ? preferencesFrom(snap.data()) : undefined;
    },

    async getMany(uids) {
      const unique = [...new Set(uids)];
      const out = new Map<string, PushPreferences>();
      if (unique.length === 0) return out;
      const snaps = await db.getAll(...unique.map((uid) => col.doc(uid)));
      for (const s of snaps) if (s.exists) out.set(s.id, preferencesFrom(s.data()));
      return out;
    },

    async update(uid, change) {
      return db.runTransaction(async (tx) => {
        const ref = col.doc(uid);
        const snap = await tx.get(ref);
        const merged = mergePreferences(
          snap.exists ? preferencesFrom(snap.data()) : undefined,
          change,
        );
        if (!merged.ok) return merged;
        // update() replaces each field whole: the category map is written exactly as merged.
        const fields = {
          ...preferencesDocumentOf(uid, merged.value),
          updatedAt: FieldValue.serverTimestamp(),
        };
        if (snap.exists) tx.update(ref, fields);
        else tx.create(ref, { ...fields, createdAt: FieldValue.serverTimestamp() });
        return merged;
      });
    },
  };
}
