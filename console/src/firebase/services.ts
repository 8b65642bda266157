/** The Firebase SDK objects every page uses, made once at start (see connect.ts). */
import type { FirebaseApp } from 'firebase/app';
import type { Auth } from 'firebase/auth';
import type { Firestore } from 'firebase/firestore';
import type { Functions } from 'firebase/functions';

export interface Services {
  app: FirebaseApp;
  auth: Auth;
  db: Firestore;
  functions: Functions;
  /**
   * Local build: sign in as the local operator (after a sign-out the form is shown instead, so
   * another account can be tried). Deployed build: undefined, a person signs in with the form.
   */
  autoSignIn?: () => Promise<void>;
  /** Where the page's data lives, for the header ("demo-push (emulators)" or the project id). */
  label: string;
}
