/**
 * pushPreferences/{uid}: the owner reads their own document (a settings screen), nobody else
 * reads it, and no client writes it, not even its owner: preferences change only through the
 * setPushPreferences callable, which validates them.
 */
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { assertFails, assertSucceeds } from '@firebase/rules-unit-testing';
import {
  collection,
  deleteDoc,
  doc,
  getDoc,
  getDocs,
  query,
  setDoc,
  where,
} from 'firebase/firestore';
import { OTHER, OWNER, useRulesEnv } from './rules-env';

describe('firestore.rules: pushPreferences', () => {
  const rules = useRulesEnv();

  it('when the owner gets pushPreferences/{own uid}, then the whole document returns', async () => {
    const snap = await assertSucceeds(getDoc(doc(rules.owner, 'pushPreferences', OWNER)));
    assert.deepEqual(snap.data()?.quietHours, { start: '22:00', end: '08:00' });
    assert.equal(snap.data()?.timezone, 'Asia/Seoul');
  });

  it('when the owner gets their document before they ever set preferences, then the read is allowed and finds nothing', async () => {
    const fresh = rules.as('carol');
    const snap = await assertSucceeds(getDoc(doc(fresh, 'pushPreferences', 'carol')));
    assert.equal(snap.exists(), false);
  });

  it("when a user gets another user's preferences, or a signed-out client gets any, then it is denied", async () => {
    await assertFails(getDoc(doc(rules.owner, 'pushPreferences', OTHER)));
    const anonymous = rules.signedOut();
    await assertFails(getDoc(doc(anonymous, 'pushPreferences', OWNER)));
  });

  it('when anyone lists pushPreferences, even filtered to their own uid, then it is denied', async () => {
    await assertFails(
      getDocs(query(collection(rules.owner, 'pushPreferences'), where('uid', '==', OWNER))),
    );
    await assertFails(getDocs(collection(rules.owner, 'pushPreferences')));
  });

  it('when the owner writes their own document directly (bypassing the callable), then every write is denied', async () => {
    const own = doc(rules.owner, 'pushPreferences', OWNER);
    await assertFails(setDoc(own, { uid: OWNER, categories: { marketing: true } }));
    await assertFails(setDoc(own, { categories: { marketing: true } }, { merge: true }));
    await assertFails(deleteDoc(own));
    const fresh = rules.as('carol');
    await assertFails(setDoc(doc(fresh, 'pushPreferences', 'carol'), { categories: {} }));
  });
});
