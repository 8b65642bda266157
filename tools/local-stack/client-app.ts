/**
 * The mobile app's side, as the app itself does it: the Firebase JS SDK pointed at the Auth and
 * Functions emulators, a signed-in user, and `httpsCallable`.
 */
import { deleteApp, initializeApp, type FirebaseApp } from 'firebase/app';
import { connectAuthEmulator, getAuth, signInAnonymously, signOut, type Auth } from 'firebase/auth';
import {
  connectFunctionsEmulator,
  getFunctions,
  httpsCallable,
  type Functions,
  type HttpsCallable,
} from 'firebase/functions';

export const REGION = 'asia-northeast3';

export interface ClientApp {
  app: FirebaseApp;
  auth: Auth;
  functions: Functions;
  callable<Req = unknown, Res = unknown>(name: string): HttpsCallable<Req, Res>;
  signIn(): Promise<string>;
  signOut(): Promise<void>;
  close(): Promise<void>;
}

let counter = 0;

export function clientApp(): ClientApp {
  const app = initializeApp(
    { projectId: 'demo-push', apiKey: 'demo-api-key', appId: '1:000000000000:web:e2e' },
    `client-${process.pid}-${counter++}`,
  );
  const auth = getAuth(app);
  connectAuthEmulator(auth, 'http://127.0.0.1:9099', { disableWarnings: true });
  const functions = getFunctions(app, REGION);
  connectFunctionsEmulator(functions, '127.0.0.1', 5001);
  return {
    app,
    auth,
    functions,
    callable: (name) => httpsCallable(functions, name),
    async signIn() {
      const cred = await signInAnonymously(auth);
      return cred.user.uid;
    },
    signOut: () => signOut(auth),
    close: () => deleteApp(app),
  };
}

/** The FirebaseError code of a rejected call (e.g. "functions/invalid-argument"). */
export async function callError(
  p: Promise<unknown>,
): Promise<{ code: string; message: string; details: unknown }> {
  try {
    await p;
  } catch (err) {
    const e = err as { code: string; message: string; details: unknown };
    return { code: e.code, message: e.message, details: e.details };
  }
  throw new Error('expected the call to fail, but it succeeded');
}
