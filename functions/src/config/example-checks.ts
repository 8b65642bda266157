/**
 * The switch that decides whether index.ts exports the example checks (`checkOrderShipped`,
 * `checkAppointmentReminder`), which would otherwise fire on any real `orders`/`appointments`
 * collection and push example texts to real users.
 *
 * The one documented exception to "settings are params": params cannot decide which functions a
 * module exports, so PUSH_EXAMPLE_CHECKS is an environment value read once, when the module loads.
 * firebase-tools loads functions/.env, .env.<project-id> (and .env.local in the emulator) before
 * it discovers the functions, and the deployed functions get the same values, so discovery and
 * runtime agree. Off by default (functions/.env); on for the local project (.env.demo-push).
 */
import { EXAMPLE_CHECKS_SWITCH } from './defaults';

/** `true` → on; unset, empty or `false` → off; anything else is a mistake worth stopping for. */
export function exampleChecksEnabled(env: Readonly<Record<string, string | undefined>>): boolean {
  const raw = env[EXAMPLE_CHECKS_SWITCH.name];
  if (raw === undefined || raw === '' || raw === 'false') return false;
  if (raw === 'true') return true;
  throw new Error(
    `${EXAMPLE_CHECKS_SWITCH.name}=${JSON.stringify(raw)} is not allowed: true or false.`,
  );
}

/** Read once, when the functions module loads (before firebase-tools discovers the exports). */
export const EXAMPLE_CHECKS_ENABLED = exampleChecksEnabled(process.env);
