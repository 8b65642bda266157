/**
 * Local build only: the emulators of `npm start` (addresses from firebase.json, written in at
 * build time) and the local operator that `npm start` creates with the operator claim.
 */
import { connectAuthEmulator, signInWithEmailAndPassword } from 'firebase/auth';
import { connectFirestoreEmulator } from 'firebase/firestore';
import { connectFunctionsEmulator } from 'firebase/functions';
import { LOCAL_OPERATOR } from '../../../tools/local-stack/local-operator-account';
import { makeServices } from './sdk';
import type { Services } from './services';

export function connectLocal(): Services {
  const stack = __LOCAL_STACK__;
  if (!stack) throw new Error('the local build was made without the local stack addresses');
  const services = makeServices(
    // The emulators accept any API key; the app id only has to look like one.
    { projectId: stack.projectId, apiKey: 'demo-api-key', appId: '1:000000000000:web:console' },
    `${stack.projectId} (emulators)`,
  );
  connectAuthEmulator(services.auth, stack.auth, { disableWarnings: true });
  connectFirestoreEmulator(services.db, stack.firestore.host, stack.firestore.port);
  connectFunctionsEmulator(services.functions, stack.functions.host, stack.functions.port);
  services.autoSignIn = async () => {
    await signInWithEmailAndPassword(services.auth, LOCAL_OPERATOR.email, LOCAL_OPERATOR.password);
  };
  return services;
}
