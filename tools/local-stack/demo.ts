/**
 * `npm run demo` (with `npm start` running in another terminal): one user, one device, a shipped
 * order pushed at once and an appointment reminder waiting for its time (see demo-flow.ts).
 *
 *   --reminder-in <duration>  when the reminder is due (default 2m; the appointment is 1 h later)
 *   --wait                    also wait until the drain has sent the reminder
 */
import { deleteApp, initializeApp } from 'firebase-admin/app';
import { getFirestore } from 'firebase-admin/firestore';
import { LOCAL_EMULATORS, localEnv } from '../local-env/local-env';
import { getJson, type HubEmulators } from './emulators';
import { runDemo } from './demo-flow';
import { parseDuration } from './options';

/** Undefined when `npm start` is up, else what to tell the user. */
async function whyNotRunning(): Promise<string | undefined> {
  const env = localEnv();
  const hub = (await getJson(`${env.hub.url}/emulators`, 3_000)) as HubEmulators | undefined;
  if (!hub)
    return `npm start is not running: nothing answers at ${env.hub.url} (the emulator hub).`;
  const missing = LOCAL_EMULATORS.filter((e) => !hub[e]);
  if (missing.length) {
    return `the emulators at ${env.hub.url} lack ${missing.join(', ')}: they were not started by \`npm start\`.`;
  }
  const fcm = env.fcm.url;
  try {
    await fetch(fcm, { signal: AbortSignal.timeout(3_000) });
  } catch {
    return `the emulators run, but not the local FCM server (${fcm}): these emulators were not started by \`npm start\`.`;
  }
  return undefined;
}

async function main(): Promise<number> {
  const args = process.argv.slice(2);
  const at = args.indexOf('--reminder-in');
  const reminderInMs = at >= 0 ? parseDuration(args[at + 1] ?? '', '--reminder-in') : 120_000;
  const unknown = args.filter(
    (a, i) => a !== '--wait' && a !== '--reminder-in' && !(at >= 0 && i === at + 1),
  );
  if (unknown.length)
    throw new Error(`Unknown option ${unknown[0]}: use --reminder-in <d>, --wait`);

  const problem = await whyNotRunning();
  if (problem) {
    console.error(
      `${problem}\nStart it in another terminal with \`npm start\`, wait for its "ready" line, then run \`npm run demo\` again.`,
    );
    return 1;
  }
  // The Admin SDK plays the backend; pointed at the emulator it needs no credentials.
  const env = localEnv();
  process.env.FIRESTORE_EMULATOR_HOST = env.firestore.address;
  process.env.METADATA_SERVER_DETECTION ??= 'none';
  const app = initializeApp({ projectId: env.projectId }, `demo-${process.pid}`);
  try {
    await runDemo(
      getFirestore(app),
      { reminderInMs, waitForReminder: args.includes('--wait') },
      (line) => console.log(line),
    );
  } finally {
    await deleteApp(app);
  }
  return 0;
}

main().then(
  (code) => process.exit(code),
  (err: unknown) => {
    console.error(err instanceof Error ? err.message : err);
    process.exit(1);
  },
);
