/**
 * The Admin SDK app and Firestore handle of this function instance, created on first use (not at
 * module load: cold starts and the deploy-time analysis of index.ts stay fast).
 */
import { getApp, getApps, initializeApp, type App } from 'firebase-admin/app';
import { getFirestore, type Firestore } from 'firebase-admin/firestore';

export function adminApp(): App {
  return getApps().length ? getApp() : initializeApp();
}

export function firestore(): Firestore {
  return getFirestore(adminApp());
}
