/**
 * The in-app inbox: which reads of `notifications` a signed-in user gets, and that the device
 * deliveries behind them (`pushes`) stay closed even to their owner. Rules are not filters, so a
 * query is allowed only when the rules can prove from its constraints that every document it
 * could return is the caller's; anything broader is refused whole.
 */
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { assertFails, assertSucceeds } from '@firebase/rules-unit-testing';
import {
  collection,
  collectionGroup,
  doc,
  getDoc,
  getDocs,
  limit,
  orderBy,
  query,
  where,
} from 'firebase/firestore';
import { OTHER, OWNER, useRulesEnv } from './rules-env';

describe('firestore.rules: the notifications inbox', () => {
  const rules = useRulesEnv();

  const notifications = () => collection(rules.owner, 'notifications');

  it("when the owner runs the README's inbox query, then their notifications return, newest first", async () => {
    const snap = await assertSucceeds(
      getDocs(query(notifications(), where('uid', '==', OWNER), orderBy('createdAt', 'desc'))),
    );
    assert.deepEqual(
      snap.docs.map((d) => d.id),
      ['n-alice-pending', 'n-alice-expanded'],
    );
  });

  it('when the owner narrows their own query further, then only their matching notifications return', async () => {
    const snap = await assertSucceeds(
      getDocs(
        query(
          notifications(),
          where('uid', '==', OWNER),
          where('status', '==', 'pending'),
          limit(10),
        ),
      ),
    );
    assert.deepEqual(
      snap.docs.map((d) => d.id),
      ['n-alice-pending'],
    );
  });

  it('when the owner lists notifications without a uid filter, then the query is denied', async () => {
    await assertFails(getDocs(notifications()));
  });

  it('when the owner filters only on a field other than uid, then the query is denied', async () => {
    await assertFails(getDocs(query(notifications(), where('status', '==', 'expanded'))));
  });

  it("when the owner queries another user's uid, then the query is denied", async () => {
    await assertFails(getDocs(query(notifications(), where('uid', '==', OTHER))));
  });

  it('when the owner queries uid in [own, other], then the query is denied', async () => {
    await assertFails(getDocs(query(notifications(), where('uid', 'in', [OWNER, OTHER]))));
  });

  it('when the owner queries uid != own, then the query is denied', async () => {
    await assertFails(getDocs(query(notifications(), where('uid', '!=', OWNER))));
  });

  it('when the owner filters on target.uid instead of the top-level uid, then the query is denied', async () => {
    await assertFails(getDocs(query(notifications(), where('target.uid', '==', OWNER))));
  });

  it('when the owner runs a collection-group query on notifications, even by own uid, then it is denied', async () => {
    await assertFails(
      getDocs(query(collectionGroup(rules.owner, 'notifications'), where('uid', '==', OWNER))),
    );
  });

  it("when the owner gets another user's notification, then it is denied", async () => {
    await assertFails(getDoc(doc(rules.owner, 'notifications', 'n-bob')));
  });

  it('when the owner gets a notification id that does not exist, then it is denied, revealing nothing', async () => {
    await assertFails(getDoc(doc(rules.owner, 'notifications', 'no-such-notification')));
  });

  it('when the other user runs their own constrained query, then only their notification returns', async () => {
    const other = rules.as(OTHER);
    const snap = await assertSucceeds(
      getDocs(query(collection(other, 'notifications'), where('uid', '==', OTHER))),
    );
    assert.deepEqual(
      snap.docs.map((d) => d.id),
      ['n-bob'],
    );
  });

  it('when a subcollection is nested under a notification, then the owner cannot read it', async () => {
    await rules.env.withSecurityRulesDisabled(async (ctx) => {
      await ctx.firestore().doc('notifications/n-alice-expanded/notes/n1').set({ uid: OWNER });
    });
    await assertFails(getDoc(doc(rules.owner, 'notifications', 'n-alice-expanded', 'notes', 'n1')));
  });

  it("when the owner follows their notification's deliveryIds to pushes, then the get is denied", async () => {
    const inbox = await assertSucceeds(
      getDoc(doc(rules.owner, 'notifications', 'n-alice-expanded')),
    );
    const [deliveryId] = inbox.data()?.deliveryIds as string[];
    await assertFails(getDoc(doc(rules.owner, 'pushes', deliveryId!)));
  });

  it('when the owner queries pushes by their own uid, then the query is denied', async () => {
    await assertFails(getDocs(query(collection(rules.owner, 'pushes'), where('uid', '==', OWNER))));
  });

  it("when the owner queries pushes by their own notification's id, then the query is denied", async () => {
    await assertFails(
      getDocs(
        query(
          collection(rules.owner, 'pushes'),
          where('uid', '==', OWNER),
          where('notificationId', '==', 'n-alice-expanded'),
        ),
      ),
    );
  });

  it('when the owner gets a topic push (no uid), then it is denied', async () => {
    await assertFails(getDoc(doc(rules.owner, 'pushes', 'push-topic')));
  });
});
