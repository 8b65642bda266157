/**
 * `npm run bench:scale`: the sharded queue drained by 1, 2, 4 and 8 shard workers in parallel,
 * beside today's single drain and a pipelined drain, in one run.
 *
 * Each configuration gets the same backlog (`--n`, default 20,000 due pushes, each to its own
 * token) in a fresh Firestore emulator state, and the local FCM v1 server answering after
 * `--rtt-ms` (30) with 100 streams per connection, as FCM's front end allows.
 *
 * - Shard workers: the real dispatcher (dispatchShards) probes the shards and enqueues one task
 *   per busy shard into an in-memory stand-in for Cloud Tasks; W dispatch slots (the queue's
 *   maxConcurrentDispatches) run the real drainShard on them (per-shard lease, pipelined pages,
 *   continuations), each worker with its own FCM sender at `--worker-concurrency` (4) concurrent
 *   requests, so a worker is bound by waiting on FCM rather than by this machine's CPU. The time
 *   is from the first task's start to the last task's end; the dispatcher's probes are reported
 *   apart (the emulator scans a collection per query, production reads an index range).
 * - Single drain: drainDuePushes over the whole queue at the default concurrency (100), runs back
 *   to back until a run finds nothing, as drainReservedPushes did before shards.
 * - Pipelined: the same, with pipeline: true (what each shard worker does inside).
 *
 * Lost: pushes the FCM server never accepted; duplicates: accepted more than once (by push id).
 * The table goes to stdout, and the last line is the JSON summary.
 */
import { initializeApp } from 'firebase-admin/app';
import { getFirestore, type Firestore } from 'firebase-admin/firestore';
import {
  createQuotaStore,
  createShardLeaseStore,
} from '../../functions/src/adapters/queue-state-store';
import { createStores } from '../../functions/src/adapters/stores';
import { DEFAULTS } from '../../functions/src/config/defaults';
import { leaseSafetyMsFor, pipelinedLeaseMs } from '../../functions/src/config/settings';
import type { FcmSender } from '../../functions/src/fcm/types';
import { drainDuePushes, type DrainSettings } from '../../functions/src/use-cases/drain-pushes';
import type { ShardTask, ShardTaskQueue } from '../../functions/src/use-cases/ports';
import {
  dispatchShards,
  drainShard,
  type WorkerSettings,
} from '../../functions/src/use-cases/shard-workers';
import { startFirestoreEmulator, type RunningFirestore } from '../emulators/firestore-emulator';
import { localFcmSender } from '../local-google/local-fcm';
import { startFcmServer, type FcmServer } from '../local-google/fcm-server';
import { LOCAL_PROJECT_ID } from '../local-env/local-env';
import { numberFlag } from './flags';
import { seedDuePushes } from './seed-pushes';

const N = numberFlag('n', 20_000);
const RTT_MS = numberFlag('rtt-ms', 30);
const WORKER_CONCURRENCY = numberFlag('worker-concurrency', 4);
const WORKERS = [1, 2, 4, 8];
const TIMEOUT_MS = DEFAULTS.FCM_TIMEOUT_MS;

interface Row {
  label: string;
  workers: number | '-';
  concurrency: number;
  seconds: number;
  perS: number;
  sent: number;
  lost: number;
  duplicates: number;
  note: string;
}

function round(x: number, digits = 1): number {
  const f = 10 ** digits;
  return Math.round(x * f) / f;
}

/** Lost and doubled pushes among `ids`, from what the FCM server accepted. */
function audit(fcm: FcmServer, ids: readonly string[]) {
  const counts = new Map<string, number>();
  for (const a of fcm.accepted) {
    const id = (a.message.data as Record<string, string> | undefined)?.push_id ?? '?';
    counts.set(id, (counts.get(id) ?? 0) + 1);
  }
  let lost = 0;
  let duplicates = 0;
  for (const id of ids) {
    const c = counts.get(id) ?? 0;
    if (c === 0) lost++;
    if (c > 1) duplicates += c - 1;
  }
  return { lost, duplicates, accepted: fcm.accepted.length };
}

/** Cloud Tasks in memory: named tasks (a name is used once), W dispatch slots. */
function taskQueue() {
  const names = new Set<string>();
  const pending: Array<{ id: string; task: ShardTask }> = [];
  const waiting: Array<() => void> = [];
  const queue: ShardTaskQueue & {
    pending: typeof pending;
    changed(): Promise<void>;
    wakeAll(): void;
  } = {
    pending,
    async enqueue(task, { id }) {
      if (names.has(id)) return 'duplicate';
      names.add(id);
      pending.push({ id, task });
      queue.wakeAll();
      return 'enqueued';
    },
    changed: () => new Promise<void>((resolve) => waiting.push(resolve)),
    wakeAll: () => waiting.splice(0).forEach((w) => w()),
  };
  return queue;
}

async function fresh(firestore: RunningFirestore, fcm: FcmServer, db: Firestore, prefix: string) {
  await firestore.reset(LOCAL_PROJECT_ID);
  fcm.accepted.length = 0;
  const t = Date.now();
  const ids = await seedDuePushes(createStores(db).pushes, N, Date.now(), prefix);
  console.log(`  seeded ${N} due pushes in ${((Date.now() - t) / 1000).toFixed(1)} s`);
  return ids;
}

const baseSettings = (concurrency: number) => ({
  batchSize: DEFAULTS.DRAIN_BATCH_SIZE,
  timeBudgetMs: DEFAULTS.DRAIN_TIME_BUDGET_SECONDS * 1000,
  leaseSafetyMs: leaseSafetyMsFor(TIMEOUT_MS),
  leaseMs: Math.max(
    DEFAULTS.LEASE_SECONDS * 1000,
    pipelinedLeaseMs(DEFAULTS.DRAIN_BATCH_SIZE, concurrency, TIMEOUT_MS),
  ),
  maxAttempts: DEFAULTS.MAX_ATTEMPTS,
  backoffBaseMs: DEFAULTS.BACKOFF_BASE_SECONDS * 1000,
});

async function shardWorkers(
  db: Firestore,
  fcm: FcmServer,
  firestore: RunningFirestore,
  workers: number,
): Promise<Row> {
  const ids = await fresh(firestore, fcm, db, `w${workers}`);
  const stores = createStores(db);
  const tasks = taskQueue();
  const leases = createShardLeaseStore(db);
  const quota = createQuotaStore(db);
  const senders: FcmSender[] = Array.from({ length: workers }, () =>
    localFcmSender(fcm.url, { concurrency: WORKER_CONCURRENCY, timeoutMs: TIMEOUT_MS }),
  );
  const dispatchStart = Date.now();
  const dispatched = await dispatchShards(
    { ...stores, leases, tasks, now: Date.now },
    { tickId: `bench-${workers}`, queuedGraceMs: 300_000, legacyProbe: 50 },
  );
  const dispatchMs = Date.now() - dispatchStart;
  const settings: WorkerSettings = { ...baseSettings(WORKER_CONCURRENCY), pipeline: true };
  let running = 0;
  let runs = 0;
  let continuations = 0;
  const start = Date.now();
  await new Promise<void>((resolve, reject) => {
    const slot = async (sender: FcmSender): Promise<void> => {
      for (;;) {
        const next = tasks.pending.shift();
        if (!next) {
          if (running === 0) return resolve();
          await tasks.changed();
          continue;
        }
        running++;
        runs++;
        const report = await drainShard(
          { ...stores, sender, leases, quota, tasks, now: Date.now, random: Math.random },
          settings,
          { shard: next.task.shard, taskId: next.id, runId: `bench-${next.id.slice(2, 10)}` },
        );
        if (report.continuation?.enqueued) continuations++;
        running--;
        if (running === 0 && tasks.pending.length === 0) {
          tasks.wakeAll();
          resolve();
          return;
        }
      }
    };
    for (const s of senders) void slot(s).catch(reject);
  });
  const seconds = (Date.now() - start) / 1000;
  await Promise.all(senders.map((s) => s.close()));
  const { lost, duplicates } = audit(fcm, ids);
  return {
    label: `${workers} shard worker${workers > 1 ? 's' : ''}`,
    workers,
    concurrency: WORKER_CONCURRENCY,
    seconds: round(seconds),
    perS: round(N / seconds),
    sent: N - lost,
    lost,
    duplicates,
    note: `${dispatched.enqueued.length} tasks, ${runs} runs, ${continuations} continuations; dispatch probes ${dispatchMs} ms`,
  };
}

async function wholeQueue(
  db: Firestore,
  fcm: FcmServer,
  firestore: RunningFirestore,
  pipeline: boolean,
): Promise<Row> {
  const ids = await fresh(firestore, fcm, db, pipeline ? 'pipe' : 'single');
  const concurrency = DEFAULTS.DRAIN_CONCURRENCY;
  const sender = localFcmSender(fcm.url, { concurrency, timeoutMs: TIMEOUT_MS });
  const deps = { ...createStores(db), sender, now: Date.now, random: Math.random };
  const start = Date.now();
  let runs = 0;
  for (;;) {
    runs++;
    const settings: DrainSettings = {
      ...baseSettings(concurrency),
      runId: `${pipeline ? 'pipe' : 'single'}-${runs}`,
      pipeline,
    };
    if ((await drainDuePushes(deps, settings)).stoppedBy === 'empty') break;
  }
  const seconds = (Date.now() - start) / 1000;
  await sender.close();
  const { lost, duplicates } = audit(fcm, ids);
  return {
    label: pipeline ? 'pipelined drain' : 'single drain (today)',
    workers: '-',
    concurrency,
    seconds: round(seconds),
    perS: round(N / seconds),
    sent: N - lost,
    lost,
    duplicates,
    note: `${runs} run(s), whole queue, pages of ${DEFAULTS.DRAIN_BATCH_SIZE}`,
  };
}

function table(rows: Row[]): string {
  const head = ['configuration', 'workers', 'FCM conc.', 's', 'pushes/s', 'lost', 'dup', 'notes'];
  const lines = rows.map((r) => [
    r.label,
    String(r.workers),
    String(r.concurrency),
    r.seconds.toFixed(1),
    r.perS.toFixed(1),
    String(r.lost),
    String(r.duplicates),
    r.note,
  ]);
  const widths = head.map((h, i) => Math.max(h.length, ...lines.map((l) => l[i]!.length)));
  const fmt = (cells: string[]) => cells.map((c, i) => c.padEnd(widths[i]!)).join('  ');
  return [fmt(head), fmt(widths.map((w) => '-'.repeat(w))), ...lines.map(fmt)].join('\n');
}

async function main() {
  const firestore = await startFirestoreEmulator({ quiet: true });
  process.env.FIRESTORE_EMULATOR_HOST = firestore.host;
  const fcm = await startFcmServer({
    acceptAnyToken: true,
    rttMs: RTT_MS,
    maxConcurrentStreams: 100,
  });
  const db = getFirestore(initializeApp({ projectId: LOCAL_PROJECT_ID }));
  const rows: Row[] = [];
  try {
    console.log(
      `bench:scale  n=${N}  FCM round trip ${RTT_MS} ms  worker FCM concurrency ${WORKER_CONCURRENCY}  (Firestore emulator ${firestore.host})`,
    );
    for (const w of WORKERS) {
      console.log(`${w} shard worker(s)…`);
      const row = await shardWorkers(db, fcm, firestore, w);
      console.log(`  ${row.perS} pushes/s in ${row.seconds} s (${row.note})`);
      rows.push(row);
    }
    for (const pipeline of [false, true]) {
      console.log(pipeline ? 'pipelined drain…' : 'single drain…');
      const row = await wholeQueue(db, fcm, firestore, pipeline);
      console.log(`  ${row.perS} pushes/s in ${row.seconds} s`);
      rows.push(row);
    }
  } finally {
    await fcm.close();
    await firestore.stop();
  }
  console.log('');
  console.log(table(rows));
  const perS = rows.slice(0, WORKERS.length).map((r) => r.perS);
  const summary = {
    n: N,
    rtt_ms: RTT_MS,
    worker_concurrency: WORKER_CONCURRENCY,
    workers: WORKERS,
    per_s: perS,
    speedup_4: round(perS[2]! / perS[0]!, 2),
    speedup_8: round(perS[3]! / perS[0]!, 2),
    lost: rows.reduce((s, r) => s + r.lost, 0),
    duplicates: rows.reduce((s, r) => s + r.duplicates, 0),
    single_drain_per_s: rows[WORKERS.length]!.perS,
    pipelined_per_s: rows[WORKERS.length + 1]!.perS,
  };
  console.log(JSON.stringify(summary));
}

main().then(
  () => process.exit(0),
  (err) => {
    console.error(err instanceof Error ? err.stack : err);
    process.exit(1);
  },
);
