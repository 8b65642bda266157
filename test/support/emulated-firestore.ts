/**
 * firebase-admin connected to the Firestore emulator that test/run.ts started
 * (FIRESTORE_EMULATOR_HOST). Fails with a clear message when run outside the runner.
 */
import { after, before, beforeEach } from 'node:test';
import { deleteApp, initializeApp, type App } from 'firebase-admin/app';
import { getFirestore, type Firestore } from 'firebase-admin/firestore';
import { clearFirestoreEmulator } from '../../tools/emulators/firestore-emulator';
import { LOCAL_PROJECT_ID } from '../../tools/local-env/local-env';

export interface TestFirestore {
  db: Firestore;
  /** Deletes every document (emulator reset endpoint). */
  reset(): Promise<void>;
  close(): Promise<void>;
}

export function emulatorHost(): string {
  const host = process.env.FIRESTORE_EMULATOR_HOST;
  if (!host) {
    throw new Error(
      'FIRESTORE_EMULATOR_HOST is not set. Run integration tests through `npm test` or `npm run test:integration`, which start the Firestore emulator.',
    );
  }
  return host;
}

let appCounter = 0;

export function connectTestFirestore(): TestFirestore {
  const host = emulatorHost();
  const app: App = initializeApp(
    { projectId: LOCAL_PROJECT_ID },
    `test-${process.pid}-${appCounter++}`,
  );
  const db = getFirestore(app);
  return {
    db,
    reset: () => clearFirestoreEmulator(host, LOCAL_PROJECT_ID),
    async close() {
      await deleteApp(app);
    },
  };
}

/**
 * For the tests of one `describe`: connected before them, every document deleted before each
 * test, closed after them (the object is filled in when `before` runs).
 */
export function useTestFirestore(): TestFirestore {
  const fs = {} as TestFirestore;
  before(() => {
    Object.assign(fs, connectTestFirestore());
  });
  beforeEach(() => fs.reset());
  after(() => fs.close());
  return fs;
}
