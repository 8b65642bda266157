/**
 * The drain process of bench:drain-memory: only the drain, as in a function instance. Peak RSS
 * includes tsx's loader, so it slightly overstates what the compiled function uses.
 */
import { initializeApp } from 'firebase-admin/app';
import { getFirestore } from 'firebase-admin/firestore';
import { createStores } from '../../functions/src/adapters/stores';
import { LOCAL_PROJECT_ID } from '../local-env/local-env';
import { localFcmSender } from '../local-google/local-fcm';
import { drainUntilEmpty } from './drain-until-empty';

async function main() {
  const endpoint = process.env.FCM_URL;
  if (!endpoint) throw new Error('FCM_URL is not set: run it through npm run bench:drain-memory');
  const db = getFirestore(initializeApp({ projectId: LOCAL_PROJECT_ID }));
  const sender = localFcmSender(endpoint, { concurrency: 100, timeoutMs: 10_000 });
  let peak = 0;
  const sample = setInterval(() => (peak = Math.max(peak, process.memoryUsage().rss)), 10);
  const deps = {
    ...createStores(db),
    sender,
    now: Date.now,
    random: Math.random,
  };
  const mib = (b: number) => Math.round(b / 2 ** 20);
  const t0 = Date.now();
  const { sent, runs } = await drainUntilEmpty(deps, 'memory', (run, r) =>
    console.log(
      `run ${run}: sent ${r.sent} in ${r.pages} pages, stopped by ${r.stoppedBy}; RSS ${mib(process.memoryUsage().rss)} MiB, peak so far ${mib(peak)} MiB`,
    ),
  );
  clearInterval(sample);
  const seconds = (Date.now() - t0) / 1000;
  console.log(
    JSON.stringify({
      sent,
      runs,
      seconds,
      per_s: Math.round(sent / seconds),
      peak_rss_mb: mib(peak),
      heap_used_mb: mib(process.memoryUsage().heapUsed),
    }),
  );
  await sender.close();
}

main().then(
  () => process.exit(0),
  (err) => {
    console.error(err);
    process.exit(1);
  },
);
