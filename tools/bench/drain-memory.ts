/**
 * `npm run bench:drain-memory [-- --n 100000]`: does a large backlog drain completely across
 * budgeted runs, in memory bounded by the page size? Seeds N due pushes into a Firestore
 * emulator of its own, then drains them in a separate process that holds nothing but the drain
 * (like a function instance): runs of drainDuePushes with the production settings (pages of 500,
 * 100 concurrent streams, 50 s budget) back to back until nothing is due. The FCM server (30 ms
 * per answer) runs here, not in the drain process. Prints per-run figures and, last, one JSON line.
 *
 *   --users      seed N notifications for N users (one device each) instead of N token pushes:
 *                the drain expands them and claims each delivery in a transaction with its token
 *   --heap-mib M cap the drain process's heap as a small instance would (--max-old-space-size=M
 *                --max-semi-space-size=4); Node sizes its heap from the memory limit on Cloud
 *                Functions, so the capped figure is the one to size `memory` from
 */
import { spawn } from 'node:child_process';
import { join } from 'node:path';
import { initializeApp } from 'firebase-admin/app';
import { getFirestore, Timestamp, type Firestore } from 'firebase-admin/firestore';
import { createStores } from '../../functions/src/adapters/stores';
import { PUSH_TOKENS } from '../../functions/src/adapters/token-store';
import { planRequest } from '../../functions/src/core/push';
import { tokenIdOf } from '../../functions/src/core/token-id';
import { startFirestoreEmulator } from '../emulators/firestore-emulator';
import { startFcmServer } from '../local-google/fcm-server';
import { createPushStore } from '../../functions/src/adapters/push-store';
import { LOCAL_PROJECT_ID } from '../local-env/local-env';
import { seedDuePushes } from './seed-pushes';

/** N users with one registered device each, and one due notification for each user. */
async function seedDueNotifications(db: Firestore, n: number, nowMs: number): Promise<void> {
  const stores = createStores(db);
  const w = db.bulkWriter();
  for (let i = 0; i < n; i++) {
    const token = `memory-device-${i}`;
    void w.set(db.collection(PUSH_TOKENS).doc(tokenIdOf(token)), {
      uid: `memory-user-${i}`,
      token,
      platform: 'android',
      createdAt: Timestamp.fromMillis(nowMs),
      updatedAt: Timestamp.fromMillis(nowMs),
    });
  }
  await w.close();
  const chunk = 2000;
  for (let start = 0; start < n; start += chunk) {
    const planned = Array.from({ length: Math.min(chunk, n - start) }, (_, k) => {
      const entry = planRequest(
        start + k,
        { to: { uid: `memory-user-${start + k}` }, title: 'Seeded', content: 'notification' },
        { eventId: 'memory-users', nowMs, source: { path: 'seed', check: 'seed' } },
      );
      if (entry.kind !== 'notification') throw new Error('expected a notification');
      return entry.notification;
    });
    await stores.notifications.createAll(planned, nowMs);
  }
}

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
    const users = process.argv.includes('--users');
    if (users) await seedDueNotifications(db, n, Date.now());
    else await seedDuePushes(createPushStore(db), n, Date.now(), 'memory');
    console.log(
      `seeded ${n} due ${users ? 'notifications (one device each)' : 'pushes'} in ${((Date.now() - t) / 1000).toFixed(0)} s`,
    );
    const heapMib = flag('heap-mib', 0);
    const heapArgs = heapMib ? [`--max-old-space-size=${heapMib}`, '--max-semi-space-size=4'] : [];
    // Asynchronous spawn: this process must keep serving the FCM server meanwhile.
    const child = spawn(
      process.execPath,
      [...heapArgs, '--import', 'tsx', join(__dirname, 'drain-memory-child.ts')],
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
