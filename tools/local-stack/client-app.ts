/**
 * The mobile app's side, as the app itself does it: the Firebase JS SDK pointed at the local
 * project's Auth and Functions emulators, a signed-in user, and `httpsCallable`.
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
import { localEnv } from '../local-env/local-env';

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
  const env = localEnv();
  const app = initializeApp(
    { projectId: env.projectId, apiKey: 'demo-api-key', appId: '1:000000000000:web:e2e' },
    `client-${process.pid}-${counter++}`,
  );
  const auth = getAuth(app);
  connectAuthEmulator(auth, env.auth.url, { disableWarnings: true });
  const functions = getFunctions(app, env.region);
  connectFunctionsEmulator(functions, env.functions.host, env.functions.port);
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
