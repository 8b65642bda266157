/**
 * A rules test environment on the Firestore emulator that test/run.ts started, loaded with the
 * repository's firestore.rules, and the documents every rules test starts from.
 *
 * It uses its own project id so that loading rules and clearing data never touch the local
 * project the other integration tests use.
 */
import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { after, before, beforeEach } from 'node:test';
import {
  initializeTestEnvironment,
  type RulesTestContext,
  type RulesTestEnvironment,
  type TokenOptions,
} from '@firebase/rules-unit-testing';
import { setLogLevel, type Firestore } from 'firebase/firestore';
import { LOCAL_PROJECT_ID } from '../../../tools/local-env/local-env';
import { emulatorHost } from '../../support/emulated-firestore';

export const RULES_PROJECT_ID = `${LOCAL_PROJECT_ID}-rules`;
export const OWNER = 'alice';
export const OTHER = 'bob';
/** A signed-in user whose ID token has the custom claim `operator: true`. */
export const OPERATOR = 'olivia';
export const OPERATOR_CLAIMS = { operator: true };

const RULES_FILE = resolve(__dirname, '..', '..', '..', 'firestore.rules');

export async function startRulesEnv(): Promise<RulesTestEnvironment> {
  const [host, port] = splitHostPort(emulatorHost());
  return initializeTestEnvironment({
    projectId: RULES_PROJECT_ID,
    firestore: { rules: readFileSync(RULES_FILE, 'utf8'), host, port },
  });
}

function splitHostPort(hostPort: string): [string, number] {
  const at = hostPort.lastIndexOf(':');
  return [hostPort.slice(0, at), Number(hostPort.slice(at + 1))];
}

/**
 * The context's Firestore is the compat wrapper; the modular functions unwrap it, which is the
 * documented way to use @firebase/rules-unit-testing with the modular SDK apps use.
 */
export function clientDb(ctx: RulesTestContext): Firestore {
  return ctx.firestore() as unknown as Firestore;
}

/** What the tests of one rules suite use: the environment and client Firestores of callers. */
export interface RulesSuite {
  /** The environment (there once the suite's `before` hook has run). */
  readonly env: RulesTestEnvironment;
  /** The owner's client Firestore, one per test (made when a test first asks for it). */
  readonly owner: Firestore;
  /** The client Firestore of a signed-in `uid`, with these custom claims in its ID token if any. */
  as(uid: string, claims?: TokenOptions): Firestore;
  /** The client Firestore of a signed-out client. */
  signedOut(): Firestore;
}

/**
 * The rules environment for the tests of one `describe` (call it in the describe's body): started
 * before them, every test starting from the seeded documents, cleared and closed after them.
 */
export function useRulesEnv(): RulesSuite {
  let env: RulesTestEnvironment | undefined;
  let owner: Firestore | undefined;
  before(async () => {
    // Denied requests are what these tests expect; the SDK would log each one as a warning.
    setLogLevel('error');
    env = await startRulesEnv();
  });
  beforeEach(async () => {
    owner = undefined;
    await seed(suite.env);
  });
  after(async () => {
    await env?.clearFirestore();
    await env?.cleanup();
  });
  const suite: RulesSuite = {
    get env() {
      if (!env) throw new Error("the rules environment starts in the suite's before hook");
      return env;
    },
    get owner() {
      return (owner ??= suite.as(OWNER));
    },
    as: (uid, claims) => clientDb(suite.env.authenticatedContext(uid, claims)),
    signedOut: () => clientDb(suite.env.unauthenticatedContext()),
  };
  return suite;
}

/** The owner's document in each collection the matrix covers, as the functions would write it. */
export const OWNER_DOC: Record<string, { id: string; data: Record<string, unknown> }> = {
  notifications: {
    // The in-app inbox: one document per request for a user; no FCM token on it.
    id: 'n-alice-expanded',
    data: {
      uid: OWNER,
      target: { uid: OWNER },
      title: 'Your order shipped',
      status: 'expanded',
      isExpanded: true,
      deliveryIds: ['push-alice-sent'],
      createdAt: new Date('2026-01-01T10:00:00Z'),
    },
  },
  pushes: {
    // The owner's own device delivery: it carries a top-level uid, and still nobody reads it.
    id: 'push-alice-sent',
    data: {
      uid: OWNER,
      notificationId: 'n-alice-expanded',
      target: { token: 'fcm-token-alice', uid: OWNER },
      pushToken: 'fcm-token-alice',
      title: 'Your order shipped',
      status: 'sent',
      isSent: true,
    },
  },
  pushKeys: {
    // Which event last decided the owner's key; uid-scoped, with a uid field a rule could match.
    id: 'key-alice',
    data: {
      uid: OWNER,
      scope: `uid:${OWNER}`,
      key: 'appointment-reminder:a1',
      eventId: 'e1',
      eventTimeMs: 1,
      path: 'notifications/n-alice-expanded',
    },
  },
  pushTokens: {
    id: 'tok-alice',
    data: { uid: OWNER, token: 'fcm-token-alice', platform: 'android' },
  },
  pushRequests: {
    id: 'req-alice',
    data: { uid: OWNER, title: 'Your order shipped', status: 'accepted' },
  },
  pushPreferences: {
    // The owner's own preferences (document id = uid): the owner may get it, nothing else.
    id: OWNER,
    data: {
      uid: OWNER,
      categories: { marketing: false },
      quietHours: { start: '22:00', end: '08:00' },
      timezone: 'Asia/Seoul',
      locale: 'ko-KR',
    },
  },
  pushStatsMinutes: {
    // The console's per-minute counters (operators read them; nobody writes them but functions).
    id: '202601011000_3',
    data: { minute: new Date('2026-01-01T10:00:00Z'), sent: 4, failed: 1, codes: { INTERNAL: 1 } },
  },
  pushStats: {
    id: 'overview',
    data: { pushes: { sent: 4 }, notifications: { expanded: 1 }, dueBacklog: 0 },
  },
  pushQueue: {
    // A shard worker's lease: nobody but the functions reads it.
    id: 'shard-03',
    data: { owner: 'shard-3:run', leaseUntil: new Date('2026-01-01T10:01:00Z') },
  },
  rateLimits: {
    // A uid-keyed counter with a uid field: a rule written "owner may read" would open it.
    id: OWNER,
    data: { uid: OWNER, count: 3 },
  },
  notes: {
    // A collection nothing in this project knows about.
    id: 'note-alice',
    data: { uid: OWNER, text: 'private' },
  },
};

/** Notifications besides the owner's expanded one: another (newer, pending) one and another user's. */
export const OTHER_NOTIFICATIONS: Record<string, Record<string, unknown>> = {
  'n-alice-pending': {
    uid: OWNER,
    target: { uid: OWNER },
    title: 'Appointment tomorrow',
    status: 'pending',
    isExpanded: false,
    createdAt: new Date('2026-01-02T10:00:00Z'),
  },
  'n-bob': {
    uid: OTHER,
    target: { uid: OTHER },
    title: 'Your order shipped',
    status: 'expanded',
    isExpanded: true,
    createdAt: new Date('2026-01-01T11:00:00Z'),
  },
};

/** Pushes besides the owner's delivery: another user's delivery and a topic push. */
export const OTHER_PUSHES: Record<string, Record<string, unknown>> = {
  'push-bob': {
    uid: OTHER,
    notificationId: 'n-bob',
    target: { token: 'fcm-token-bob', uid: OTHER },
    pushToken: 'fcm-token-bob',
    title: 'Your order shipped',
    status: 'sent',
    isSent: true,
  },
  // Topic (and token, condition) pushes have no uid.
  'push-topic': { target: { topic: 'news' }, title: 'News', status: 'sent', isSent: true },
};

export async function seed(env: RulesTestEnvironment): Promise<void> {
  await env.clearFirestore();
  await env.withSecurityRulesDisabled(async (ctx) => {
    const db = ctx.firestore();
    const batch = db.batch();
    for (const [collection, { id, data }] of Object.entries(OWNER_DOC)) {
      batch.set(db.collection(collection).doc(id), data);
    }
    for (const [id, data] of Object.entries(OTHER_NOTIFICATIONS)) {
      batch.set(db.collection('notifications').doc(id), data);
    }
    for (const [id, data] of Object.entries(OTHER_PUSHES)) {
      batch.set(db.collection('pushes').doc(id), data);
    }
    batch.set(db.collection('pushPreferences').doc(OTHER), {
      uid: OTHER,
      categories: {},
      quietHours: null,
      timezone: null,
      locale: null,
    });
    batch.set(db.collection('pushTokens').doc('tok-bob'), {
      uid: OTHER,
      token: 'fcm-token-bob',
      platform: 'ios',
    });
    await batch.commit();
  });
}
