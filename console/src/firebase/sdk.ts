/**
 * The SDK objects for an app, the same in both builds. initializeAuth with explicit persistence
 * (not getAuth) keeps the bundle free of the SDK's popup/redirect code the page does not use.
 */
import { initializeApp, type FirebaseOptions } from 'firebase/app';
import { browserLocalPersistence, initializeAuth } from 'firebase/auth';
import { getFirestore } from 'firebase/firestore';
import { getFunctions } from 'firebase/functions';
import type { Services } from './services';

export function makeServices(options: FirebaseOptions, label: string): Services {
  const app = initializeApp(options);
  return {
    app,
    auth: initializeAuth(app, { persistence: browserLocalPersistence }),
    db: getFirestore(app),
    functions: getFunctions(app, __PUSH_REGION__),
    label,
  };
}
