/**
 * Every fixed port of the local stack. The emulators' come from firebase.json (via the e2e table);
 * the local FCM and metadata servers' from functions/.env.demo-push, because that is where the
 * functions in the emulator will look for them.
 */
import { demoEnv } from '../../test/support/demo-google';
import { E2E_PORTS } from '../emulators/ports';

export interface GooglePorts {
  fcm: number;
  metadata: number;
}

export function googlePorts(): GooglePorts {
  const env = demoEnv();
  return {
    fcm: Number(new URL(env.FCM_ENDPOINT).port),
    metadata: Number(env.GCE_METADATA_HOST.split(':')[1]),
  };
}

export function localStackPorts(): Record<string, number> {
  const google = googlePorts();
  return {
    ...E2E_PORTS,
    // firebase-tools would silently move it, but a second stack beside ours is a mistake to flag.
    'Firestore websocket': 9150,
    'local FCM server': google.fcm,
    'local metadata server': google.metadata,
  };
}
