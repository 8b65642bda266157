/**
 * Connects to Firebase: the local emulators in the local build, the project that serves the page
 * in the deployed one. The branch is decided at build time (import.meta.env.MODE is a constant),
 * so the deployed bundle holds neither local.ts nor its addresses.
 */
import type { Services } from './services';

export async function connect(): Promise<Services> {
  if (import.meta.env.MODE === 'emulators') {
    const { connectLocal } = await import('./local');
    return connectLocal();
  }
  const { connectDeployed } = await import('./deployed');
  return connectDeployed();
}
