/**
 * The in-app inbox: which reads of `pushes` a signed-in user gets. Rules are not filters, so a
 * query is allowed only when the rules can prove from its constraints that every document it
 * could return is the caller's; anything broader is refused whole.
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
  collectionGroup,
  doc,
  getDoc,
  getDocs,
  limit,
  query,
  setLogLevel,
  where,
  type Firestore,
} from 'firebase/firestore';
import { clientDb, OTHER, OWNER, seed, startRulesEnv } from './rules-env';

describe('firestore.rules: the pushes inbox', () => {
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

  const pushes = () => collection(owner, 'pushes');

  it('when the owner narrows their own query further, then only their matching pushes return', async () => {
    const snap = await assertSucceeds(
      getDocs(query(pushes(), where('uid', '==', OWNER), where('status', '==', 'sent'), limit(10))),
    );
    assert.deepEqual(
      snap.docs.map((d) => d.id),
      ['push-alice-sent'],
    );
  });

  it('when the owner lists pushes without a uid filter, then the query is denied', async () => {
    await assertFails(getDocs(pushes()));
  });

  it('when the owner filters only on a field other than uid, then the query is denied', async () => {
    await assertFails(getDocs(query(pushes(), where('status', '==', 'sent'))));
  });

  it("when the owner queries another user's uid, then the query is denied", async () => {
    await assertFails(getDocs(query(pushes(), where('uid', '==', OTHER))));
  });

  it('when the owner queries uid in [own, other], then the query is denied', async () => {
    await assertFails(getDocs(query(pushes(), where('uid', 'in', [OWNER, OTHER]))));
  });

  it('when the owner queries uid != own, then the query is denied', async () => {
    await assertFails(getDocs(query(pushes(), where('uid', '!=', OWNER))));
  });

  it('when the owner filters on target.uid instead of the top-level uid, then the query is denied', async () => {
    await assertFails(getDocs(query(pushes(), where('target.uid', '==', OWNER))));
  });

  it('when the owner runs a collection-group query on pushes, even by own uid, then it is denied', async () => {
    await assertFails(getDocs(query(collectionGroup(owner, 'pushes'), where('uid', '==', OWNER))));
  });

  it("when the owner gets another user's push, then it is denied", async () => {
    await assertFails(getDoc(doc(owner, 'pushes', 'push-bob')));
  });

  it('when the owner gets a topic push (no uid), then it is denied', async () => {
    await assertFails(getDoc(doc(owner, 'pushes', 'push-topic')));
  });

  it('when the owner gets a push id that does not exist, then it is denied, revealing nothing', async () => {
    await assertFails(getDoc(doc(owner, 'pushes', 'no-such-push')));
  });

  it('when the other user runs their own constrained query, then only their push returns', async () => {
    const other = clientDb(env.authenticatedContext(OTHER));
    const snap = await assertSucceeds(
      getDocs(query(collection(other, 'pushes'), where('uid', '==', OTHER))),
    );
    assert.deepEqual(
      snap.docs.map((d) => d.id),
      ['push-bob'],
    );
  });

  it('when a subcollection is nested under a push, then the owner cannot read it', async () => {
    await env.withSecurityRulesDisabled(async (ctx) => {
      await ctx.firestore().doc('pushes/push-alice-sent/notes/n1').set({ uid: OWNER });
    });
    await assertFails(getDoc(doc(owner, 'pushes', 'push-alice-sent', 'notes', 'n1')));
  });
});
