/** Constants vite.config.ts writes into the bundle at build time. */

/** The emulators of the local project (local build only; null in the deployed build). */
interface LocalStackAddresses {
  projectId: string;
  auth: string;
  firestore: { host: string; port: number };
  functions: { host: string; port: number };
}
declare const __LOCAL_STACK__: LocalStackAddresses | null;

/** The region the operator callables run in (PUSH_REGION). */
declare const __PUSH_REGION__: string;
