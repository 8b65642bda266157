/**
 * pushPreferences/{uid}: the owner reads their own document (a settings screen), nobody else
 * reads it, and no client writes it, not even its owner: preferences change only through the
 * setPushPreferences callable, which validates them.
 */
import { after, before, beforeEach, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import {
  assertFails,
  assertSucceeds,
  type RulesTestEnvironment,
} from '@firebase/rules-unit-testing';
import {
  collection,
  deleteDoc,
  doc,
  getDoc,
  getDocs,
  query,
  setDoc,
  setLogLevel,
  where,
  type Firestore,
} from 'firebase/firestore';
import { clientDb, OTHER, OWNER, seed, startRulesEnv } from './rules-env';

describe('firestore.rules: pushPreferences', () => {
  let env: RulesTestEnvironment;
  let owner: Firestore;
  before(async () => {
    setLogLevel('error');
    env = await startRulesEnv();
  });
  beforeEach(async () => {
    await seed(env);
    owner = clientDb(env.authenticatedContext(OWNER));
  });
  after(async () => {
    await env.clearFirestore();
    await env.cleanup();
  });

  it('when the owner gets pushPreferences/{own uid}, then the whole document returns', async () => {
    const snap = await assertSucceeds(getDoc(doc(owner, 'pushPreferences', OWNER)));
    assert.deepEqual(snap.data()?.quietHours, { start: '22:00', end: '08:00' });
    assert.equal(snap.data()?.timezone, 'Asia/Seoul');
  });

  it('when the owner gets their document before they ever set preferences, then the read is allowed and finds nothing', async () => {
    const fresh = clientDb(env.authenticatedContext('carol'));
    const snap = await assertSucceeds(getDoc(doc(fresh, 'pushPreferences', 'carol')));
    assert.equal(snap.exists(), false);
  });

  it("when a user gets another user's preferences, or a signed-out client gets any, then it is denied", async () => {
    await assertFails(getDoc(doc(owner, 'pushPreferences', OTHER)));
    const anonymous = clientDb(env.unauthenticatedContext());
    await assertFails(getDoc(doc(anonymous, 'pushPreferences', OWNER)));
  });

  it('when anyone lists pushPreferences, even filtered to their own uid, then it is denied', async () => {
    await assertFails(
      getDocs(query(collection(owner, 'pushPreferences'), where('uid', '==', OWNER))),
    );
    await assertFails(getDocs(collection(owner, 'pushPreferences')));
  });

  it('when the owner writes their own document directly (bypassing the callable), then every write is denied', async () => {
    const own = doc(owner, 'pushPreferences', OWNER);
    await assertFails(setDoc(own, { uid: OWNER, categories: { marketing: true } }));
    await assertFails(setDoc(own, { categories: { marketing: true } }, { merge: true }));
    await assertFails(deleteDoc(own));
    const fresh = clientDb(env.authenticatedContext('carol'));
    await assertFails(setDoc(doc(fresh, 'pushPreferences', 'carol'), { categories: {} }));
  });
});
