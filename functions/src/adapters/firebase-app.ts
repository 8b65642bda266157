/**
 * The Admin SDK app and Firestore handle of this function instance.
 *
 * The default app is initialized when this module loads (cheap: no network), because
 * firebase-functions decodes Firestore trigger events with the default app before our handler
 * runs. Firestore itself is created on first use.
 */
import { getApp, getApps, initializeApp, type App } from 'firebase-admin/app';
import { getFirestore, type Firestore } from 'firebase-admin/firestore';

if (getApps().length === 0) initializeApp();

export function adminApp(): App {
  return getApp();
}

export function firestore(): Firestore {
  return getFirestore(adminApp());
}
