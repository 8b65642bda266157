/**
 * A rules test environment on the Firestore emulator that test/run.ts started, loaded with the
 * repository's firestore.rules, and the documents every rules test starts from.
 *
 * It uses its own project id so that loading rules and clearing data never touch the
 * `demo-push` project the other integration tests use.
 */
import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import {
  initializeTestEnvironment,
  type RulesTestContext,
  type RulesTestEnvironment,
} from '@firebase/rules-unit-testing';
import type { Firestore } from 'firebase/firestore';
import { emulatorHost } from '../../support/emulated-firestore';

export const RULES_PROJECT_ID = 'demo-push-rules';
export const OWNER = 'alice';
export const OTHER = 'bob';

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

/** The owner's document in each collection the matrix covers, as the functions would write it. */
export const OWNER_DOC: Record<string, { id: string; data: Record<string, unknown> }> = {
  pushTokens: {
    id: 'tok-alice',
    data: { uid: OWNER, token: 'fcm-token-alice', platform: 'android' },
  },
  pushes: {
    id: 'push-alice-sent',
    data: {
      uid: OWNER,
      target: { token: 'fcm-token-alice', uid: OWNER },
      pushToken: 'fcm-token-alice',
      title: 'Your order shipped',
      status: 'sent',
      isSent: true,
    },
  },
  pushRequests: {
    id: 'req-alice',
    data: { uid: OWNER, title: 'Your order shipped', status: 'accepted' },
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

/** Pushes besides the owner's sent one: another pending one, another user's and a topic push. */
export const OTHER_PUSHES: Record<string, Record<string, unknown>> = {
  'push-alice-pending': {
    uid: OWNER,
    target: { token: 'fcm-token-alice-2', uid: OWNER },
    pushToken: 'fcm-token-alice-2',
    title: 'Appointment tomorrow',
    status: 'pending',
    isSent: false,
  },
  'push-bob': {
    uid: OTHER,
    target: { token: 'fcm-token-bob', uid: OTHER },
    pushToken: 'fcm-token-bob',
    title: 'Your order shipped',
    status: 'sent',
    isSent: true,
  },
  // Topic (and token, condition) pushes have no top-level uid: nobody's inbox.
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
    for (const [id, data] of Object.entries(OTHER_PUSHES)) {
      batch.set(db.collection('pushes').doc(id), data);
    }
    batch.set(db.collection('pushTokens').doc('tok-bob'), {
      uid: OTHER,
      token: 'fcm-token-bob',
      platform: 'ios',
    });
    await batch.commit();
  });
}
