/**
 * Deployed build: the web config of the project that serves the page, from Firebase Hosting's
 * reserved URL. It is public by design (an API key there identifies the project, it grants
 * nothing); what protects the data is the operator claim, checked by the rules and callables.
 */
import type { FirebaseOptions } from 'firebase/app';
import { makeServices } from './sdk';
import type { Services } from './services';

export async function connectDeployed(): Promise<Services> {
  const res = await fetch('/__/firebase/init.json');
  if (!res.ok) {
    throw new Error(
      `could not read /__/firebase/init.json (HTTP ${res.status}): the console must be served by Firebase Hosting`,
    );
  }
  const options = (await res.json()) as FirebaseOptions;
  return makeServices(options, options.projectId ?? 'Firebase');
}
