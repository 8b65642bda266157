/**
 * `npm run bench:drain-memory [-- --n 100000]`: does a large backlog drain completely across
 * budgeted runs, in memory bounded by the page size? Seeds N due pushes into a Firestore
 * emulator of its own, then drains them in a separate process that holds nothing but the drain
 * (like a function instance): runs of drainDuePushes with the production settings (pages of 500,
 * 100 concurrent streams, 50 s budget) back to back until nothing is due. The FCM server (30 ms
 * per answer) runs here, not in the drain process. Prints per-run figures and, last, one JSON line.
 */
import { spawn } from 'node:child_process';
import { join } from 'node:path';
import { initializeApp } from 'firebase-admin/app';
import { getFirestore } from 'firebase-admin/firestore';
import { startFirestoreEmulator } from '../emulators/firestore-emulator';
import { startFcmServer } from '../local-google/fcm-server';
import { createPushStore } from '../../functions/src/adapters/push-store';
import { LOCAL_PROJECT_ID } from '../local-env/local-env';
import { seedDuePushes } from './seed-pushes';

function flag(name: string, fallback: number): number {
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 ? Number(process.argv[i + 1]) : fallback;
}

async function main() {
  const n = flag('n', 100_000);
  const firestore = await startFirestoreEmulator();
  const fcm = await startFcmServer({ acceptAnyToken: true, rttMs: 30, record: false });
  try {
    process.env.FIRESTORE_EMULATOR_HOST = firestore.host;
    const db = getFirestore(initializeApp({ projectId: LOCAL_PROJECT_ID }));
    const t = Date.now();
    await seedDuePushes(createPushStore(db), n, Date.now(), 'memory');
    console.log(`seeded ${n} due pushes in ${((Date.now() - t) / 1000).toFixed(0)} s`);
    // Asynchronous spawn: this process must keep serving the FCM server meanwhile.
    const child = spawn(
      process.execPath,
      ['--import', 'tsx', join(__dirname, 'drain-memory-child.ts')],
      {
        env: { ...process.env, FCM_URL: fcm.url, METADATA_SERVER_DETECTION: 'none' },
        stdio: ['ignore', 'inherit', 'inherit'],
      },
    );
    const code = await new Promise<number | null>((r) => child.on('exit', r));
    if (code !== 0) throw new Error(`drain process exited with ${code}`);
    if (fcm.requestCount < n)
      throw new Error(`FCM saw ${fcm.requestCount} requests for ${n} pushes`);
  } finally {
    await fcm.close();
    await firestore.stop();
  }
}

main().then(
  () => process.exit(0),
  (err) => {
    console.error(err instanceof Error ? err.message : err);
    process.exit(1);
  },
);
