/**
 * Creates the local operator (LOCAL_OPERATOR) in the Auth emulator with the `operator: true`
 * claim, idempotently: an existing account gets its password and claim set again (other claims
 * kept), so a stack started twice, or a test run after `npm start`, finds the same account.
 * The Admin SDK talks to the Auth emulator because FIREBASE_AUTH_EMULATOR_HOST is set here: this
 * runs only against the local project (demo-push), whose accounts exist nowhere else.
 */
import { deleteApp, initializeApp } from 'firebase-admin/app';
import { getAuth, type Auth } from 'firebase-admin/auth';
import { setOperatorClaim } from '../cli/src/operator-claims';
import { localEnv } from '../local-env/local-env';
import { LOCAL_OPERATOR } from './local-operator-account';

/** An Admin SDK Auth client of the Auth emulator, and how to let it go. */
export function emulatorAdminAuth(): { auth: Auth; close(): Promise<void> } {
  const env = localEnv();
  process.env.FIREBASE_AUTH_EMULATOR_HOST = env.auth.address;
  const app = initializeApp(
    { projectId: env.projectId },
    `local-operator-${process.pid}-${Date.now()}`,
  );
  return { auth: getAuth(app), close: () => deleteApp(app) };
}

/** Grants `operator: true` to `uid`, keeping the account's other custom claims (as the CLI does). */
export async function grantOperator(auth: Auth, uid: string): Promise<void> {
  await setOperatorClaim(auth, uid, true);
}

/** The local operator's uid, after making sure the account and its claim exist. */
export async function ensureLocalOperator(): Promise<string> {
  const { auth, close } = emulatorAdminAuth();
  try {
    let uid: string;
    try {
      uid = (await auth.getUserByEmail(LOCAL_OPERATOR.email)).uid;
      await auth.updateUser(uid, { password: LOCAL_OPERATOR.password });
    } catch (err) {
      if ((err as { code?: string }).code !== 'auth/user-not-found') throw err;
      uid = (
        await auth.createUser({
          email: LOCAL_OPERATOR.email,
          password: LOCAL_OPERATOR.password,
          displayName: LOCAL_OPERATOR.displayName,
          emailVerified: true,
        })
      ).uid;
    }
    await grantOperator(auth, uid);
    return uid;
  } finally {
    await close();
  }
}
