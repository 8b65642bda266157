/**
 * The drain benchmark's body (run by tools/bench/drain.ts inside the emulators):
 *  1. ours: N due pushes drained by drainDuePushes (the body of drainReservedPushes, with its
 *     production settings: pages of 500, 100 concurrent HTTP/2 streams) run after run until empty;
 *  2. seed: the original notes' way: query the due pushes, then for each one send it (a new
 *     connection per request) and update its document, one after another (measured on --seed-n
 *     pushes: it is sequential, so its rate does not depend on N);
 *  3. immediate: --writes business writes (orders marked shipped), each timed from the write to
 *     the FCM server receiving the request, through the Functions emulator's Firestore trigger.
 * The FCM servers answer after --rtt-ms (default 30), Google's edge being tens of ms away.
 */
import * as http from 'node:http';
import { writeFileSync } from 'node:fs';
import { initializeApp } from 'firebase-admin/app';
import { getFirestore, Timestamp } from 'firebase-admin/firestore';
import { createStores } from '../../functions/src/adapters/stores';
import { tokenIdOf } from '../../functions/src/core/token-id';
import { buildFcmMessage } from '../../functions/src/core/push';
import { queuedPushOf } from '../../functions/src/adapters/push-store';
import { clearFirestoreEmulator } from '../emulators/firestore-emulator';
import { LOCAL_PROJECT_ID } from '../local-env/local-env';
import { startDemoGoogle } from '../local-google/demo-google';
import { startLocalFcm } from '../local-google/local-fcm';
import { drainUntilEmpty } from './drain-until-empty';
import { numberFlag } from './flags';
import { seedDuePushes } from './seed-pushes';

const log = (s: string) => console.log(`[bench] ${s}`);
const N = numberFlag('n', 10_000);
const SEED_N = numberFlag('seed-n', 300);
const RTT = numberFlag('rtt-ms', 30);
const WRITES = numberFlag('writes', 200);

let peakRss = 0;
const sampler = setInterval(() => (peakRss = Math.max(peakRss, process.memoryUsage().rss)), 50);
const pct = (xs: number[], p: number) =>
  [...xs].sort((a, b) => a - b)[Math.min(xs.length - 1, Math.floor((p / 100) * xs.length))];

async function main() {
  const host = process.env.FIRESTORE_EMULATOR_HOST!;
  const reset = () => clearFirestoreEmulator(host);
  const db = getFirestore(initializeApp({ projectId: LOCAL_PROJECT_ID }, 'bench'));
  const stores = createStores(db);
  const { pushes } = stores;
  const local = await startLocalFcm({
    rttMs: RTT,
    record: false,
    concurrency: 100,
    timeoutMs: 10_000,
  });
  const { server: fcm, sender } = local;

  // 1. ours
  await reset();
  await seedDuePushes(pushes, N, Date.now(), 'ours');
  peakRss = process.memoryUsage().rss;
  const t0 = Date.now();
  const { sent, runs } = await drainUntilEmpty(
    { ...stores, sender, now: Date.now, random: Math.random },
    'bench',
  );
  const oursMs = Date.now() - t0;
  const oursRss = peakRss;
  if (sent !== N || fcm.requestCount < N) throw new Error(`ours sent ${sent} of ${N}`);
  const oursPerS = N / (oursMs / 1000);
  log(
    `ours: ${N} pushes in ${(oursMs / 1000).toFixed(1)} s over ${runs} run(s) = ${oursPerS.toFixed(0)} pushes/s, peak RSS ${(oursRss / 2 ** 20).toFixed(0)} MiB`,
  );

  // 2. the seed's way
  await reset();
  await seedDuePushes(pushes, SEED_N, Date.now(), 'seed');
  const s0 = Date.now();
  const due = await db
    .collection('pushes')
    .where('isSent', '==', false)
    .where('nextAttemptAt', '<=', Timestamp.now())
    .get();
  const url = new URL(`${fcm.url}/v1/projects/${LOCAL_PROJECT_ID}/messages:send`);
  for (const doc of due.docs) {
    const body = JSON.stringify({ message: buildFcmMessage(queuedPushOf(doc), Date.now()) });
    const answer = await new Promise<string>((resolve, reject) => {
      const req = http.request(
        url,
        {
          method: 'POST',
          agent: false,
          headers: { 'content-type': 'application/json', authorization: 'Bearer seed' },
        },
        (res) => {
          let text = '';
          res.on('data', (c) => (text += c));
          res.on('end', () => resolve(text));
        },
      );
      req.on('error', reject);
      req.end(body);
    });
    await doc.ref.update({
      isSent: true,
      status: 'sent',
      result: { messageId: JSON.parse(answer).name },
    });
  }
  const seedMs = Date.now() - s0;
  const seedPerS = due.size / (seedMs / 1000);
  log(
    `seed: ${due.size} pushes in ${(seedMs / 1000).toFixed(1)} s = ${seedPerS.toFixed(1)} pushes/s (sequential; N=${N} would take ~${(N / seedPerS / 60).toFixed(0)} min)`,
  );

  // 3. immediate pushes through the real trigger path
  await reset();
  const google = await startDemoGoogle();
  google.fcm.setRttMs(RTT);
  await stores.tokens.save(
    'bench-user',
    tokenIdOf('bench-device'),
    { token: 'bench-device', platform: 'android' },
    10,
  );
  const arrival = (orderId: string) =>
    new Promise<number>((resolve) => {
      const check = () => {
        const hit = google.fcm.accepted.find(
          (a) => (a.message.data as Record<string, string>)?.orderId === orderId,
        );
        if (hit) resolve(hit.receivedAt);
        else setTimeout(check, 2);
      };
      check();
    });
  const latencies: number[] = [];
  let cold = 0;
  for (let i = -1; i < WRITES; i++) {
    const id = `bench-${i}`;
    const w0 = Date.now();
    await db.collection('orders').doc(id).set({ uid: 'bench-user', status: 'shipped' });
    const at = await Promise.race([
      arrival(id),
      new Promise<number>((_, rej) =>
        setTimeout(() => rej(new Error(`order ${id}: no push within 30 s`)), 30_000),
      ),
    ]);
    if (i < 0) cold = at - w0;
    else latencies.push(at - w0);
  }
  await google.close();
  const p50 = pct(latencies, 50);
  const p95 = pct(latencies, 95);
  log(
    `immediate: business write -> FCM request over ${WRITES} writes: p50 ${p50} ms, p95 ${p95} ms (first write, cold: ${cold} ms, excluded)`,
  );
  log(`ours/seed: ${(oursPerS / seedPerS).toFixed(1)}x`);

  clearInterval(sampler);
  await local.close();
  const round = (x: number) => Math.round(x * 10) / 10;
  writeFileSync(
    process.env.BENCH_OUT ?? '.tmp/bench-drain.json',
    JSON.stringify({
      n: N,
      ours_per_s: round(oursPerS),
      seed_per_s: round(seedPerS),
      vs_seed: round(oursPerS / seedPerS),
      rss_mb: Math.round(oursRss / 2 ** 20),
      immediate_p50_ms: p50,
      immediate_p95_ms: p95,
    }) + '\n',
  );
}

main().then(
  () => process.exit(0),
  (err) => {
    console.error(err);
    process.exit(1);
  },
);
