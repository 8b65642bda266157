/**
 * `npm run bench:send`: FCM send throughput, side by side in one run, against one local FCM v1
 * server (a child process, so it has its own core and event loop):
 *
 *   1. ours   - createFcmSender (HTTP/2 pool, shared token via google-auth-library's Compute path
 *               against the local metadata server), sendAll(N).
 *   2. admin  - firebase-admin 13 `getMessaging(app).sendEach` in chunks of 500 (its HTTP/2 path).
 *               Its connection to fcm.googleapis.com is redirected to the local h2c server by
 *               wrapping `http2.connect` inside this process only.
 *   3. seed   - the original notes' way: one blocking request after another, each on a new
 *               connection (node:http without keep-alive, await each).
 *
 * Two rounds: the server answering at once, then with a simulated 30 ms delay per request. The
 * seed way is measured on a smaller N at 30 ms (it would take minutes) and its rate extrapolated,
 * which is fair because it is strictly sequential: its rate does not depend on N.
 *
 * ours and admin each run twice per round in mirrored order; the better run of each is reported.
 *
 * Flags: --n 20000  --seed-n 300  --concurrency 500  --rtt-ms 30
 * The last line printed is one JSON object with the figures.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import * as http from 'node:http';
import http2 from 'node:http2';
import { once } from 'node:events';
import * as path from 'node:path';
import { createInterface } from 'node:readline';
import { initializeApp, deleteApp, type App } from 'firebase-admin/app';
import { getMessaging } from 'firebase-admin/messaging';
import { createFcmSender } from '../../functions/src/fcm/client';
import { createGoogleAccessTokenProvider } from '../../functions/src/fcm/access-token';
import type { FcmMessage } from '../../functions/src/fcm/types';
import { LOCAL_PROJECT_ID } from '../local-env/local-env';
import { startMetadataServer } from '../local-google/metadata-server';
import { numberFlag } from './flags';

const N = numberFlag('n', 20_000);
const SEED_N_SLOW = numberFlag('seed-n', 300);
const SEED_N_FAST = Math.min(N, 2_000);
const CONCURRENCY = numberFlag('concurrency', 500);
const RTT_MS = numberFlag('rtt-ms', 30);
const PROJECT = LOCAL_PROJECT_ID;
const ADMIN_CHUNK = 500;

interface LocalFcm {
  url: string;
  child: ChildProcess;
  stop(): Promise<void>;
}

/** Starts tools/local-google/fcm-server.ts in a child process and waits for its ready line. */
async function startFcmChild(rttMs: number): Promise<LocalFcm> {
  const script = path.join(__dirname, '..', 'local-google', 'fcm-server.ts');
  const child = spawn(
    process.execPath,
    ['--import', 'tsx', script, '--port', '0', '--rtt-ms', String(rttMs), '--quiet'],
    { stdio: ['ignore', 'pipe', 'inherit'] },
  );
  const lines = createInterface({ input: child.stdout! });
  const [first] = (await once(lines, 'line')) as [string];
  const ready = JSON.parse(first) as { url: string };
  return {
    url: ready.url,
    child,
    async stop() {
      child.kill('SIGTERM');
      await once(child, 'exit');
    },
  };
}

function messages(count: number, prefix: string): FcmMessage[] {
  return Array.from({ length: count }, (_, i) => ({
    token: `${prefix}-device-token-${i.toString().padStart(6, '0')}`,
    notification: { title: 'Your order shipped', body: `Order #${i} is on its way.` },
    data: { orderId: String(i), kind: 'shipping' },
  }));
}

/** Samples RSS while `run` executes; returns the peak in MiB. */
async function withPeakRss<T>(run: () => Promise<T>): Promise<{ result: T; peakRssMiB: number }> {
  let peak = process.memoryUsage.rss();
  const timer = setInterval(() => {
    peak = Math.max(peak, process.memoryUsage.rss());
  }, 20);
  try {
    const result = await run();
    peak = Math.max(peak, process.memoryUsage.rss());
    return { result, peakRssMiB: peak / 2 ** 20 };
  } finally {
    clearInterval(timer);
  }
}

interface Measured {
  perSecond: number;
  n: number;
  ok: number;
  seconds: number;
  peakRssMiB: number;
}

async function measure(n: number, run: () => Promise<number>): Promise<Measured> {
  global.gc?.();
  const started = process.hrtime.bigint();
  const { result: ok, peakRssMiB } = await withPeakRss(run);
  const seconds = Number(process.hrtime.bigint() - started) / 1e9;
  return { perSecond: n / seconds, n, ok, seconds, peakRssMiB };
}

function best(a: Measured, b: Measured): Measured {
  const winner = a.perSecond >= b.perSecond ? a : b;
  return { ...winner, ok: Math.min(a.ok, b.ok), peakRssMiB: Math.max(a.peakRssMiB, b.peakRssMiB) };
}

// --- contenders -------------------------------------------------------------------------------

type Sender = ReturnType<typeof createFcmSender>;

async function runOurs(sender: Sender, batch: FcmMessage[]): Promise<number> {
  const outcomes = await sender.sendAll(batch);
  return outcomes.filter((o) => o.ok).length;
}

async function runAdmin(app: App, batch: FcmMessage[]): Promise<number> {
  const messaging = getMessaging(app);
  let ok = 0;
  for (let i = 0; i < batch.length; i += ADMIN_CHUNK) {
    const chunk = batch.slice(i, i + ADMIN_CHUNK).map((m) => ({
      token: m.token!,
      notification: m.notification,
      data: m.data,
    }));
    const response = await messaging.sendEach(chunk);
    ok += response.successCount;
  }
  return ok;
}

/** The seed's way: a new connection per request, one request at a time. */
async function runSeed(url: string, batch: FcmMessage[]): Promise<number> {
  const target = new URL(`/v1/projects/${PROJECT}/messages:send`, url);
  let ok = 0;
  for (const message of batch) {
    const body = JSON.stringify({ message });
    const status = await new Promise<number>((resolve, reject) => {
      const req = http.request(
        target,
        {
          method: 'POST',
          agent: false,
          headers: {
            authorization: 'Bearer seed-token',
            'content-type': 'application/json',
            'content-length': Buffer.byteLength(body),
            connection: 'close',
          },
        },
        (res) => {
          res.resume();
          res.on('end', () => resolve(res.statusCode ?? 0));
        },
      );
      req.on('error', reject);
      req.end(body);
    });
    if (status === 200) ok += 1;
  }
  return ok;
}

/**
 * Sends firebase-admin's connection to fcm.googleapis.com to the local h2c server instead.
 *
 * firebase-admin sets `:scheme` to the URL's `protocol`, i.e. `https:` with the colon. Google's
 * front end tolerates it; Node's HTTP/2 server (nghttp2) resets the stream with PROTOCOL_ERROR
 * before any JavaScript sees it, so the server cannot normalise it: we strip the colon on the
 * redirected session here. Nothing else of firebase-admin's request is changed.
 */
function redirectAdminHttp2(localUrl: () => string): () => void {
  const original = http2.connect;
  const patched = ((authority: string | URL, ...rest: unknown[]) => {
    const host = typeof authority === 'string' ? new URL(authority).host : authority.host;
    const connect = original as (...args: unknown[]) => http2.ClientHttp2Session;
    if (host !== 'fcm.googleapis.com') return connect(authority, ...rest);
    const session = connect(localUrl(), ...rest);
    const request = session.request.bind(session);
    session.request = (headers, options) =>
      request(
        headers ? { ...headers, ':scheme': String(headers[':scheme']).replace(/:$/, '') } : headers,
        options,
      );
    return session;
  }) as typeof http2.connect;
  http2.connect = patched;
  return () => {
    http2.connect = original;
  };
}

// --- main -------------------------------------------------------------------------------------

interface Round {
  rttMs: number;
  ours: Measured;
  admin: Measured;
  seed: Measured;
}

async function main(): Promise<void> {
  const metadata = await startMetadataServer({ projectId: PROJECT });
  const savedEnv = {
    GCE_METADATA_HOST: process.env.GCE_METADATA_HOST,
    METADATA_SERVER_DETECTION: process.env.METADATA_SERVER_DETECTION,
  };
  process.env.GCE_METADATA_HOST = metadata.host;
  process.env.METADATA_SERVER_DETECTION = 'ping-only';

  let fcmUrl = '';
  const restoreHttp2 = redirectAdminHttp2(() => fcmUrl);
  const app = initializeApp(
    {
      projectId: PROJECT,
      credential: {
        getAccessToken: async () => ({ access_token: 'admin-local-token', expires_in: 3600 }),
      },
    },
    'bench-send',
  );
  const tokenProvider = createGoogleAccessTokenProvider({ projectId: PROJECT });

  const rounds: Round[] = [];
  try {
    for (const rttMs of [0, RTT_MS]) {
      const fcm = await startFcmChild(rttMs);
      fcmUrl = fcm.url;
      const sender = createFcmSender({
        projectId: PROJECT,
        endpoint: fcm.url,
        tokenProvider,
        concurrency: CONCURRENCY,
        timeoutMs: 30_000,
      });
      try {
        // Warm-up (JIT of both processes, connections, the one token fetch); not measured.
        await runOurs(sender, messages(3_000, 'warm-ours'));
        await runAdmin(app, messages(3_000, 'warm-admin'));
        await runSeed(fcm.url, messages(50, 'warm-seed'));

        // Each of ours/admin runs twice in mirrored order (ours, admin, admin, ours) and keeps its
        // better run, so neither profits from going second on a shared, noisy 2-core machine.
        const seedN = rttMs > 0 ? SEED_N_SLOW : SEED_N_FAST;
        const ours1 = await measure(N, () => runOurs(sender, messages(N, 'ours')));
        const admin1 = await measure(N, () => runAdmin(app, messages(N, 'admin')));
        const admin2 = await measure(N, () => runAdmin(app, messages(N, 'admin2')));
        const ours2 = await measure(N, () => runOurs(sender, messages(N, 'ours2')));
        const seed = await measure(seedN, () => runSeed(fcm.url, messages(seedN, 'seed')));
        const ours = best(ours1, ours2);
        const admin = best(admin1, admin2);
        console.log(
          `  (delay ${rttMs} ms: ours ${Math.round(ours1.perSecond)} / ${Math.round(ours2.perSecond)}, ` +
            `admin ${Math.round(admin1.perSecond)} / ${Math.round(admin2.perSecond)} msg/s)`,
        );
        rounds.push({ rttMs, ours, admin, seed });
        for (const [name, m] of Object.entries({ ours, admin, seed })) {
          if (m.ok !== m.n) throw new Error(`${name}: only ${m.ok} of ${m.n} sends succeeded`);
        }
      } finally {
        await sender.close();
        await fcm.stop();
      }
    }
  } finally {
    restoreHttp2();
    await deleteApp(app);
    await metadata.close();
    for (const [key, value] of Object.entries(savedEnv)) {
      if (value === undefined) delete process.env[key];
      else process.env[key] = value;
    }
  }

  const fmt = (x: number) => Math.round(x).toLocaleString('en-US');
  console.log(
    `FCM send benchmark: N=${N}, our concurrency=${CONCURRENCY}, admin chunks of ${ADMIN_CHUNK}`,
  );
  for (const r of rounds) {
    console.log(`\nserver delay ${r.rttMs} ms`);
    for (const [name, m] of Object.entries({ ours: r.ours, admin: r.admin, seed: r.seed })) {
      console.log(
        `  ${name.padEnd(6)} ${fmt(m.perSecond).padStart(8)} msg/s  (${m.n} msgs in ${m.seconds.toFixed(
          2,
        )} s, peak RSS ${m.peakRssMiB.toFixed(0)} MiB)`,
      );
    }
    console.log(
      `  ours/admin ${(r.ours.perSecond / r.admin.perSecond).toFixed(2)}x, ours/seed ${(
        r.ours.perSecond / r.seed.perSecond
      ).toFixed(1)}x`,
    );
  }
  const fast = rounds[0]!;
  const slow = rounds[1]!;
  console.log(
    `\nseed at ${slow.rttMs} ms measured on ${slow.seed.n} messages (sequential, so the rate is ` +
      `independent of N; extrapolated to N=${N}: ${(N / slow.seed.perSecond).toFixed(0)} s)`,
  );
  console.log(`access-token requests to the metadata server: ${metadata.tokenRequests.length}`);
  console.log(
    `peak RSS of the benchmark process: ${(process.resourceUsage().maxRSS / 1024).toFixed(0)} MiB`,
  );
  const round2 = (x: number) => Math.round(x * 100) / 100;
  console.log(
    JSON.stringify({
      n: N,
      rtt_ms: slow.rttMs,
      ours_per_s: Math.round(slow.ours.perSecond),
      admin_per_s: Math.round(slow.admin.perSecond),
      seed_per_s: round2(slow.seed.perSecond),
      vs_admin: round2(slow.ours.perSecond / slow.admin.perSecond),
      vs_seed: round2(slow.ours.perSecond / slow.seed.perSecond),
      vs_admin_0ms: round2(fast.ours.perSecond / fast.admin.perSecond),
      token_requests: metadata.tokenRequests.length,
    }),
  );
}

main().catch((error: unknown) => {
  console.error(error);
  process.exitCode = 1;
});
