/**
 * The operator console's reads through the rules: the queries the page runs (built from the
 * declared specs in queries.ts) are allowed for an operator and refused as a whole for a signed-in
 * user without the claim, or with a claim that is not exactly `true`; an operator still writes
 * nothing and reads no device token collection.
 */
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { assertFails, assertSucceeds } from '@firebase/rules-unit-testing';
import {
  collection,
  doc,
  getDoc,
  getDocs,
  limit,
  orderBy,
  query,
  setDoc,
  Timestamp,
  where,
  type Firestore,
  type Query,
} from 'firebase/firestore';
import { QUERIES, type QuerySpec } from '../../../functions/src/adapters/queries';
import { OPERATOR, OPERATOR_CLAIMS, OTHER, OWNER, useRulesEnv } from './rules-env';

/** A page query as the console builds it: the spec's equality filters and order, 25 a page. */
function pageQuery(db: Firestore, spec: QuerySpec, values: Record<string, unknown>): Query {
  const filters = spec.equality.map((f) => where(f, '==', values[f]));
  const order = spec.order ? [orderBy(spec.order.field, spec.order.direction)] : [];
  return query(collection(db, spec.collection), ...filters, ...order, limit(25));
}

const PAGE_QUERIES: Array<[string, QuerySpec, Record<string, unknown>]> = [
  ['recentPushes', QUERIES.recentPushes, {}],
  ['pushesByStatus', QUERIES.pushesByStatus, { status: 'sent' }],
  ['pushesByUser', QUERIES.pushesByUser, { uid: OTHER }],
  ['pushesByUserAndStatus', QUERIES.pushesByUserAndStatus, { uid: OTHER, status: 'sent' }],
  ['recentNotifications', QUERIES.recentNotifications, {}],
  ['notificationsByStatus', QUERIES.notificationsByStatus, { status: 'expanded' }],
  ['notificationsByUser', QUERIES.notificationsByUser, { uid: OTHER }],
  [
    'notificationsByUserAndStatus',
    QUERIES.notificationsByUserAndStatus,
    { uid: OTHER, status: 'expanded' },
  ],
];

describe('firestore.rules: operators', () => {
  const rules = useRulesEnv();
  const operatorDb = () => rules.as(OPERATOR, OPERATOR_CLAIMS);
  const userDb = () => rules.as(OTHER);

  for (const [name, spec, values] of PAGE_QUERIES) {
    it(`when an operator runs the console's ${name} query, then it is allowed`, async () => {
      await assertSucceeds(getDocs(pageQuery(operatorDb(), spec, values)));
    });
    it(`when a signed-in non-operator runs ${name} over another user's documents, then it is denied`, async () => {
      // (Their own notifications are their inbox; another user's, or all, are not theirs.)
      const others = { ...values, ...(values.uid === undefined ? {} : { uid: OWNER }) };
      await assertFails(getDocs(pageQuery(userDb(), spec, others)));
    });
  }

  it('when an operator listens to the last hour of statistics, then it is allowed', async () => {
    const spec = QUERIES.statsMinutesSince;
    const since = Timestamp.fromDate(new Date('2026-01-01T09:30:00Z'));
    const q = query(
      collection(operatorDb(), spec.collection),
      where(spec.order.field, '>=', since),
      orderBy(spec.order.field, spec.order.direction),
    );
    const snap = await assertSucceeds(getDocs(q));
    assert.deepEqual(
      snap.docs.map((d) => d.id),
      ['202601011000_3'],
    );
    await assertFails(getDocs(query(collection(userDb(), spec.collection))));
    await assertFails(getDoc(doc(userDb(), 'pushStats', 'overview')));
  });

  for (const claims of [
    { operator: false },
    { operator: 'true' },
    { operator: 1 },
    { admin: true },
  ]) {
    it(`when the claim is ${JSON.stringify(claims)}, then nothing opens`, async () => {
      const db = rules.as(OPERATOR, claims);
      await assertFails(getDoc(doc(db, 'pushes', 'push-alice-sent')));
      await assertFails(getDocs(query(collection(db, 'notifications'), limit(1))));
      await assertFails(getDoc(doc(db, 'pushStats', 'overview')));
      await assertFails(getDoc(doc(db, 'pushPreferences', OWNER)));
    });
  }

  it('when an operator reads device tokens or writes anything, then it is denied', async () => {
    const db = operatorDb();
    await assertFails(getDoc(doc(db, 'pushTokens', 'tok-bob')));
    await assertFails(getDocs(query(collection(db, 'pushTokens'), where('uid', '==', OTHER))));
    await assertFails(getDocs(query(collection(db, 'pushPreferences'))));
    await assertFails(setDoc(doc(db, 'pushes', 'push-bob'), { status: 'pending' }));
    await assertFails(setDoc(doc(db, 'pushStats', 'overview'), { dueBacklog: 0 }));
    await assertFails(setDoc(doc(db, 'pushStatsMinutes', '202601011000_0'), { sent: 1 }));
    await assertFails(setDoc(doc(db, 'pushRequests', 'forged'), { to: { uid: OTHER } }));
  });
});
