/**
 * Every caller (signed out, the documents' owner, another user, an operator) against every
 * operation on each of our collections and on one the project does not know. The only allowed
 * cells are the owner getting and listing their own notifications (the in-app inbox) and getting
 * their own push preferences, and an operator (custom claim `operator: true`) getting and listing
 * notifications, pushes and the statistics and getting push preferences; everything else must be
 * refused by the rules: the owner's own device deliveries in `pushes` included, pushTokens for an
 * operator too, and every client write (an operator's included).
 */
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { assertFails, assertSucceeds } from '@firebase/rules-unit-testing';
import {
  collection,
  deleteDoc,
  doc,
  DocumentSnapshot,
  getDoc,
  getDocs,
  query,
  QuerySnapshot,
  setDoc,
  updateDoc,
  where,
  type Firestore,
} from 'firebase/firestore';
import {
  OPERATOR,
  OPERATOR_CLAIMS,
  OTHER,
  OWNER,
  OWNER_DOC,
  useRulesEnv,
  type RulesSuite,
} from './rules-env';

type Caller = 'a signed-out client' | 'the owner' | 'another user' | 'an operator';
type Operation = 'get' | 'list' | 'create' | 'update' | 'delete';

const CALLERS: readonly Caller[] = [
  'a signed-out client',
  'the owner',
  'another user',
  'an operator',
];
const OPERATIONS: readonly Operation[] = ['get', 'list', 'create', 'update', 'delete'];
const COLLECTIONS = [
  'notifications',
  'pushes',
  'pushKeys',
  'pushTokens',
  'pushRequests',
  'pushPreferences',
  'pushStatsMinutes',
  'pushStats',
  'pushQueue',
  'rateLimits',
  'notes',
] as const;

const isDoc = (id: string) => (value: unknown) => {
  assert.ok(value instanceof DocumentSnapshot);
  assert.equal(value.id, id);
  assert.ok(value.exists());
};
const isList = (ids: string[]) => (value: unknown) => {
  assert.ok(value instanceof QuerySnapshot);
  assert.deepEqual(value.docs.map((d) => d.id).sort(), ids);
};

/**
 * The whole list of what a client may do, keyed `collection/caller/operation`, each with what the
 * allowed read must return; any cell not here must be denied.
 */
const ALLOWED = new Map<string, (value: unknown) => void>([
  [
    'notifications/the owner/get',
    (value) => {
      assert.ok(value instanceof DocumentSnapshot);
      assert.equal(value.data()?.uid, OWNER);
    },
  ],
  [
    'notifications/the owner/list',
    (value) => {
      assert.ok(value instanceof QuerySnapshot);
      assert.deepEqual(value.docs.map((d) => d.id).sort(), ['n-alice-expanded', 'n-alice-pending']);
    },
  ],
  [
    'pushPreferences/the owner/get',
    (value) => {
      assert.ok(value instanceof DocumentSnapshot);
      assert.deepEqual(value.data()?.categories, { marketing: false });
    },
  ],
  // The operator console: reads of notifications, pushes (full tokens included), statistics and
  // preferences; never pushTokens, pushKeys, pushRequests, pushQueue, rateLimits, never a write.
  ['notifications/an operator/get', isDoc(OWNER_DOC.notifications.id)],
  ['notifications/an operator/list', isList(['n-alice-expanded', 'n-alice-pending'])],
  ['pushes/an operator/get', isDoc(OWNER_DOC.pushes.id)],
  ['pushes/an operator/list', isList(['push-alice-sent'])],
  ['pushPreferences/an operator/get', isDoc(OWNER)],
  ['pushStatsMinutes/an operator/get', isDoc(OWNER_DOC.pushStatsMinutes.id)],
  // The matrix's list query filters on uid, which statistics documents do not have: allowed, empty.
  ['pushStatsMinutes/an operator/list', isList([])],
  ['pushStats/an operator/get', isDoc('overview')],
  ['pushStats/an operator/list', isList([])],
]);

const UID: Record<Caller, string | undefined> = {
  'a signed-out client': undefined,
  'the owner': OWNER,
  'another user': OTHER,
  'an operator': OPERATOR,
};

function dbOf(rules: RulesSuite, caller: Caller): Firestore {
  const uid = UID[caller];
  if (uid === undefined) return rules.signedOut();
  return caller === 'an operator' ? rules.as(uid, OPERATOR_CLAIMS) : rules.as(uid);
}

/** The request each operation makes: always aimed at the owner's data. */
async function attempt(db: Firestore, name: string, op: Operation, caller: Caller) {
  const owned = doc(db, name, OWNER_DOC[name].id);
  switch (op) {
    case 'get':
      return getDoc(owned);
    case 'list':
      // The owner's constrained query: allowed only for the owner, and only on notifications.
      return getDocs(query(collection(db, name), where('uid', '==', OWNER)));
    case 'create':
      // The most plausible forgery: a new document claiming to be the caller's own.
      return setDoc(doc(db, name, `created-by-${UID[caller] ?? 'nobody'}`), {
        ...OWNER_DOC[name].data,
        uid: UID[caller] ?? OWNER,
      });
    case 'update':
      return updateDoc(owned, { status: 'read' });
    case 'delete':
      return deleteDoc(owned);
  }
}

describe('firestore.rules access matrix', () => {
  const rules = useRulesEnv();

  for (const name of COLLECTIONS) {
    for (const caller of CALLERS) {
      for (const op of OPERATIONS) {
        const check = ALLOWED.get(`${name}/${caller}/${op}`);
        it(`when ${caller} tries ${op} on ${name}, then it is ${check ? 'allowed' : 'denied'}`, async () => {
          const result = attempt(dbOf(rules, caller), name, op, caller);
          if (check) check(await assertSucceeds(result));
          else await assertFails(result);
        });
      }
    }
  }
});
