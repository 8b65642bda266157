/**
 * One chaos drain: a separate process running the production drain (drainDuePushes) against the
 * Firestore emulator, the parent's local FCM server, and access tokens from the parent's metadata
 * server through google-auth-library's Compute path (GCE_METADATA_HOST). The PushStore and
 * FcmSender are wrapped only to tag messages, report answers on fd 3, and - when the parent's
 * plan says so - end the process with process.exit() at a kill point, like a crashed instance.
 * Its stores are the production ones (createStores): due notifications are expanded into device
 * deliveries, and each delivery's claim checks that its token still belongs to its user.
 *
 * It drains, waits (virtual time) for the next retry or reservation, and exits 0 once no push
 * and no notification is pending.
 */
import { writeSync } from 'node:fs';
import * as logger from 'firebase-functions/logger';
import { initializeApp } from 'firebase-admin/app';
import { getFirestore, Timestamp, type Firestore } from 'firebase-admin/firestore';
import type { PushStore } from '../../functions/src/adapters/push-store';
import { QUERIES, type QuerySpec } from '../../functions/src/adapters/queries';
import { createStores } from '../../functions/src/adapters/stores';
import {
  createFcmSender,
  createGoogleAccessTokenProvider,
  type FcmMessage,
  type FcmSender,
  type SendOutcome,
} from '../../functions/src/fcm';
import {
  createQuotaStore,
  createShardLeaseStore,
} from '../../functions/src/adapters/queue-state-store';
import {
  addCounts,
  emptyCounts,
  type DeliveryCounts,
} from '../../functions/src/use-cases/deliver-pushes';
import { drainDuePushes, type DrainReport } from '../../functions/src/use-cases/drain-pushes';
import { drainShard } from '../../functions/src/use-cases/shard-workers';
import { prng, TAG_KEY, virtualClock, type ChildConfig, type ControlMessage } from './shared';

const CONTROL_FD = 3;
const KILLED_EXIT_CODE = 86;

const cfg = JSON.parse(process.env.CHAOS_CHILD ?? '{}') as ChildConfig;
const random = prng(cfg.seed);
const now = virtualClock(cfg.t0, cfg.speed);

function control(message: ControlMessage): void {
  // Synchronous, so the message is out before a process.exit() right after it.
  writeSync(CONTROL_FD, `${JSON.stringify(message)}\n`);
}

function die(point: NonNullable<ChildConfig['kill']>['point'], inFlight: TaggedMessage[]): never {
  control({
    event: 'kill',
    point,
    inFlight: inFlight.map((m) => ({ tag: m.tag, pushId: m.pushId })),
  });
  process.exit(KILLED_EXIT_CODE);
}

interface TaggedMessage {
  tag: string;
  pushId: string;
  message: FcmMessage;
}

/** The tag of the last message this process sent for each push (for lease-lost reports). */
const lastTagOf = new Map<string, string>();
let claimedPages = 0;
let sentPages = 0;
const killAt = (point: string, page: number) =>
  cfg.kill?.point === point && cfg.kill.atPage === page;

function chaosPushStore(inner: PushStore): PushStore {
  return {
    ...inner,
    async claim(snaps, options) {
      const startedAt = Date.now();
      const result = await inner.claim(snaps, options);
      // For the figures: how long a page's claim takes (real ms), user deliveries included
      // (each a transaction that reads the token).
      logger.info('chaos.claim', {
        due: snaps.length,
        claimed: result.claimed.length,
        notOwned: result.notOwned.length,
        realMs: Date.now() - startedAt,
      });
      // Deliveries ended as not owned are not claims: only a page with claims is a kill candidate.
      if (result.claimed.length > 0 && killAt('after-claim', ++claimedPages))
        die('after-claim', []);
      return result;
    },
    async writeResults(results) {
      const startedAt = Date.now();
      const out = await inner.writeResults(results);
      logger.info('chaos.write', {
        results: results.length,
        lostLease: out.lostLease.length,
        realMs: Date.now() - startedAt,
      });
      if (out.lostLease.length) {
        const tags = out.lostLease.flatMap((id) => {
          const tag = lastTagOf.get(id);
          return tag ? [tag] : [];
        });
        control({ event: 'lease-lost', pushIds: out.lostLease, tags });
      }
      return out;
    },
  };
}

function chaosSender(inner: FcmSender): FcmSender {
  return {
    send: (m, o) => inner.send(m, o),
    close: () => inner.close(),
    async sendAll(messages, options) {
      // Pages with nothing to send (all expired or left for later) are not kill candidates.
      const page = messages.length > 0 ? ++sentPages : 0;
      const tagged: TaggedMessage[] = messages.map((m, i) => {
        const tag = `${cfg.childId}.${page}.${i}`;
        const pushId = m.data?.push_id ?? '?';
        lastTagOf.set(pushId, tag);
        return { tag, pushId, message: { ...m, data: { ...m.data, [TAG_KEY]: tag } } };
      });
      const sendStartedAt = Date.now();
      let outcomes: SendOutcome[];
      if (killAt('mid-send', page) && tagged.length > 0) {
        // Exit while requests are in flight: after a random number of answers have come back.
        const exitAfter = 1 + Math.floor(random() * Math.max(1, tagged.length / 2));
        let answered = 0;
        outcomes = await Promise.all(
          tagged.map((t) =>
            inner.send(t.message, options).then((o) => {
              if (++answered >= exitAfter) die('mid-send', tagged);
              return o;
            }),
          ),
        );
      } else {
        outcomes = await inner.sendAll(
          tagged.map((t) => t.message),
          options,
        );
      }
      logger.info('chaos.send', { messages: tagged.length, realMs: Date.now() - sendStartedAt });
      if (killAt('after-accept', page)) die('after-accept', tagged);
      control({
        event: 'answers',
        answers: tagged.map((t, i) => {
          const o = outcomes[i]!;
          return o.ok
            ? { tag: t.tag, pushId: t.pushId, ok: true }
            : { tag: t.tag, pushId: t.pushId, ok: false, code: o.error.code };
        }),
      });
      return outcomes;
    },
  };
}

/** Store calls slower than this (real ms) are logged as chaos.slow_call: where drains wait. */
const SLOW_CALL_MS = 1_000;

function timed<T extends object>(name: string, store: T): T {
  return new Proxy(store, {
    get(target, prop, receiver) {
      const value: unknown = Reflect.get(target, prop, receiver);
      if (typeof value !== 'function') return value;
      return (...args: unknown[]) => {
        const startedAt = Date.now();
        const result: unknown = value.apply(target, args);
        if (!(result instanceof Promise)) return result;
        return result.finally(() => {
          const realMs = Date.now() - startedAt;
          if (realMs >= SLOW_CALL_MS) {
            logger.info('chaos.slow_call', { call: `${name}.${String(prop)}`, realMs });
          }
        });
      };
    },
  });
}

/** Epoch ms of the earliest live document of a queue query (due or leased), if any. */
async function earliest(
  db: Firestore,
  q: Required<Pick<QuerySpec, 'collection' | 'equality' | 'order'>>,
): Promise<number | null> {
  const next = await db
    .collection(q.collection)
    .where(q.equality[0]!, '==', false)
    .orderBy(q.order.field, q.order.direction)
    .limit(1)
    .get();
  return next.empty ? null : (next.docs[0]!.get(q.order.field) as Timestamp).toMillis();
}

async function main(): Promise<void> {
  const app = initializeApp({ projectId: cfg.projectId }, cfg.childId);
  const db = getFirestore(app);
  const sender = createFcmSender({
    projectId: cfg.projectId,
    endpoint: cfg.fcmUrl,
    // The production token path: google-auth-library, Compute credentials, metadata server.
    tokenProvider: createGoogleAccessTokenProvider({ projectId: cfg.projectId }),
    concurrency: 50,
    timeoutMs: cfg.fcmTimeoutMs,
    // The drain's send deadline is in virtual time (deps.now), so the sender's clock is too.
    now,
  });
  const stores = Object.fromEntries(
    Object.entries(createStores(db)).map(([name, store]) => [name, timed(name, store as object)]),
  ) as unknown as ReturnType<typeof createStores>;
  const deps = {
    ...stores,
    pushes: chaosPushStore(stores.pushes),
    sender: chaosSender(sender),
    now,
    random,
  };
  const settings = {
    batchSize: cfg.batchSize,
    timeBudgetMs: cfg.timeBudgetMs,
    leaseMs: cfg.leaseMs,
    leaseSafetyMs: cfg.leaseSafetyMs,
    maxAttempts: cfg.maxAttempts,
    backoffBaseMs: cfg.backoffBaseMs,
  };
  /** As shard workers: each of this child's shards in turn, with the production worker. */
  const shardRun = async (
    run: number,
    shards: number[],
  ): Promise<Pick<DrainReport, 'stoppedBy'> & DeliveryCounts> => {
    const workerDeps = {
      ...deps,
      leases: createShardLeaseStore(db),
      quota: createQuotaStore(db),
      // Continuations are not needed here: this loop comes back to every shard.
      tasks: { enqueue: async () => 'enqueued' as const },
      // The quota backoff is in virtual time.
      sleep: (ms: number) => new Promise<void>((r) => setTimeout(r, ms / cfg.speed)),
    };
    let counts = emptyCounts();
    let contended = false;
    for (const shard of shards) {
      const r = await drainShard(
        workerDeps,
        { ...settings, pipeline: true },
        {
          shard,
          taskId: `${cfg.childId}-${run}-${shard}`,
          runId: `${cfg.childId}:${run}:s${shard}`,
        },
      );
      if (r.drain) counts = addCounts(counts, r.drain);
      if (r.outcome === 'leased' || r.drain?.stoppedBy === 'contention') contended = true;
    }
    return { ...counts, stoppedBy: contended ? 'contention' : 'empty' };
  };
  for (let run = 1; ; run++) {
    const report = cfg.shards
      ? await shardRun(run, cfg.shards)
      : await drainDuePushes(deps, { ...settings, runId: `${cfg.childId}:${run}` });
    logger.info('drain.finished', { runId: `${cfg.childId}:${run}`, ...report });
    // The earliest pending push or notification (due, leased or reserved for later); final ones
    // have no nextAttemptAt.
    const times = (
      await Promise.all([earliest(db, QUERIES.duePushes), earliest(db, QUERIES.dueNotifications)])
    ).filter((t): t is number => t !== null);
    if (times.length === 0) break;
    const at = Math.min(...times);
    // Wait (in real time) until it is due; a short pause when another drain holds the page.
    const waitRealMs = Math.max(
      report.stoppedBy === 'contention' ? 50 : 0,
      (at - now()) / cfg.speed,
    );
    if (waitRealMs > 0) await new Promise((r) => setTimeout(r, Math.min(waitRealMs, 2_000)));
  }
  control({ event: 'done' });
  await sender.close();
  process.exit(0);
}

main().catch((err) => {
  logger.error('chaos.drain_crashed', { error: err instanceof Error ? err.message : String(err) });
  process.exit(1);
});
