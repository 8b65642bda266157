import { createPushStore } from './push-store';
import { createTokenStore } from './token-store';
import { firestore } from './firebase-app';
import { fcmSender } from './fcm-sender';
import type { DeliverDeps } from '../use-cases/deliver-pushes';

/** Production dependencies of the send path: Firestore stores, the instance's FCM sender, clock. */
export function deliveryDeps(): DeliverDeps {
  const db = firestore();
  return {
    pushes: createPushStore(db),
    tokens: createTokenStore(db),
    sender: fcmSender(),
    now: Date.now,
    random: Math.random,
  };
}
