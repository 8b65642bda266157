/**
 * The chaos run: thousands of pushes drained by several racing drain processes through a local
 * FCM server that fails in seeded ways, an access-token source that fails now and then, and drains
 * killed by process exit at the worst moments. A share of the requests are notifications for
 * users, expanded into device deliveries by the same drains while phones change hands between
 * users (token-moves.ts), and keyed reminders whose events arrive replayed and out of order
 * (keyed-events.ts). It ends when nothing is pending, then checks what must hold whatever
 * happened: every push and notification final, nothing lost, no push sent twice except where a
 * drain died after FCM accepted it (or FCM's answer never reached the drain), no delivery sent to
 * a token that was not its user's when its claim committed (misdelivered), per key only the
 * newest event's reminder, dead tokens deleted, and no secret in any log line.
 *
 * Used by `npm run test:chaos` (test/chaos/run.ts, 3,000 pushes) and by the integration tier
 * (test/integration/chaos, ~300 pushes) with the same code.
 */
import { spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { closeSync, mkdirSync, openSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { createInterface } from 'node:readline';
import { deleteApp, initializeApp } from 'firebase-admin/app';
import { getFirestore, Timestamp, type Firestore } from 'firebase-admin/firestore';
import { defaultParamEnv } from '../../functions/src/config/defaults';
import { leaseSafetyMsFor } from '../../functions/src/config/settings';
import { NOTIFICATIONS } from '../../functions/src/adapters/notification-store';
import { PUSHES } from '../../functions/src/adapters/push-store';
import { createStores } from '../../functions/src/adapters/stores';
import { PUSH_TOKENS } from '../../functions/src/adapters/token-store';
import { deliveryIdOf } from '../../functions/src/core/notification';
import { planPushes, type PlannedPush } from '../../functions/src/core/push';
import type { PushRequest } from '../../functions/src/core/push-request';
import { tokenIdOf } from '../../functions/src/core/token-id';
import { queuePushes } from '../../functions/src/use-cases/queue-pushes';
import { startFcmServer, type FcmScript } from '../../tools/local-google/fcm-server';
import { startMetadataServer } from '../../tools/local-google/metadata-server';
import {
  checkKeyedItems,
  deliverKeyEvent,
  EVENT_DATA_KEY,
  ITEM_DATA_KEY,
  notificationIdOf,
  planKeyedItems,
  type DeliveredEvents,
  type KeyedItem,
} from './keyed-events';
import { findSecretsInLogs } from './log-secrets';
import {
  KILL_POINTS,
  prng,
  seededUnit,
  sleep,
  TAG_KEY,
  virtualClock,
  type ChildConfig,
  type ControlMessage,
  type KillPoint,
} from './shared';
import {
  moveToken,
  ownershipAt,
  planTokenMoves,
  type TokenMove,
  type TokenMovePlan,
} from './token-moves';

import { ALL_SHARDS } from '../../functions/src/core/shard';

const ROOT = resolve(__dirname, '..', '..');
const PROJECT_ID = 'demo-push';

export interface ChaosOptions {
  seed: number;
  pushes: number;
  /** Drain processes running at once. */
  drains: number;
  /**
   * Each drain process runs shard workers (drainShard) over its share of the 64 shards (shard
   * s goes to process s mod drains) instead of one drain over the whole queue.
   */
  shardWorkers?: boolean;
  /** Share of the pushes that are notifications for users (`to: {uid}`) instead of tokens. */
  userShare: number;
  /** Share of those users' tokens that move to another user while the drains run. */
  movedShare: number;
  /** Keyed reminders whose events arrive replayed and out of order. */
  keyedItems: number;
  /** Most drains killed over the run (after that, drains run to the end). */
  maxKills: number;
  /** Chance that a new drain gets a kill plan. */
  killRate: number;
  batchSize: number;
  /** Give up (and report) after this long. */
  maxWallMs: number;
  /** Where child logs go (deleted first). */
  logDir: string;
  /** Progress lines (the CLI prints them; tests stay quiet). */
  log?: (line: string) => void;
}

export const CHAOS_DEFAULTS: Omit<ChaosOptions, 'seed' | 'logDir'> = {
  pushes: 3000,
  drains: 3,
  userShare: 0.1,
  movedShare: 0.35,
  keyedItems: 20,
  maxKills: 15,
  killRate: 0.85,
  batchSize: 50,
  maxWallMs: 15 * 60_000,
};

/** Virtual time runs this much faster than real time (see shared.ts virtualClock). */
const SPEED = 20;
/** Real milliseconds: the FCM client's per-request timeout (8 s virtual). */
const FCM_TIMEOUT_MS = 400;
/**
 * The production rules in virtual time: no request starts within leaseSafetyMsFor(timeout) of a
 * lease's end (37 s virtual), and the lease is above minimumLeaseMs (one wave of requests per
 * page plus that margin, 45 s). Firestore does not run 20x faster, though: a page's claim (a
 * transaction per user delivery, racing the other drains) takes up to ~3 s real on 2 shared
 * cores, and a claim that leaves no time to send is left for later and costs an attempt. So the
 * lease is 120 s virtual = 6 s real (4 s real to start sending). Backoff base 2 s virtual = 0.1 s.
 */
const LEASE_SAFETY_MS = leaseSafetyMsFor(FCM_TIMEOUT_MS * SPEED);
const LEASE_MS = 120_000;
const BACKOFF_BASE_MS = 2_000;
const MAX_ATTEMPTS = 8;

export const FAULT_KINDS = [
  'quota429',
  'internal500',
  'unavailable503',
  'unregistered',
  'timeout',
  'dropConnection',
  'tokenRefreshFailure',
  'killAfterClaim',
  'killMidSend',
  'killAfterAccept',
  'tokenMovedBetweenUsers',
  'eventRedeliveredOutOfOrder',
] as const;
export type FaultKind = (typeof FAULT_KINDS)[number];

export interface ChaosReport {
  seed: number;
  pushes: number;
  faults: Record<FaultKind, number>;
  retries: number;
  duplicates: number;
  lost: number;
  /**
   * User deliveries FCM accepted whose claim committed (claimCommittedAt) while their token did
   * not belong to their user: the token had moved away before, or had not yet moved to them.
   */
  misdelivered: number;
  /** Everything else measured, for the figures and the tests. */
  details: {
    /** Push documents by status: direct pushes and user deliveries. */
    byStatus: Record<string, number>;
    directPushes: number;
    /** Notifications for users queued (the `userShare` of the pushes), and by final status. */
    userNotifications: number;
    notificationsByStatus: Record<string, number>;
    /** Device deliveries the drains expanded notifications into (their ids, as recorded). */
    deliveries: number;
    /** Push documents there should be: direct pushes + deliveries. */
    expectedPushDocuments: number;
    pushDocuments: number;
    /** Deliveries ended cancelled with DEVICE_NOT_OWNED (the token had left their user). */
    notOwned: number;
    tokenMoves: number;
    /** Of them: sign-out then register (the rest: the new user's register takes it over). */
    tokenMovesBySignOut: number;
    /** Of them: started when FCM first received a delivery to the token (the rest: timed). */
    tokenMovesOnSend: number;
    /** Planned moves not made because the drains had finished. */
    tokenMovesSkipped: number;
    /**
     * Token-store transactions (save, deleteIfOwnedBy) aborted and retried, as an app retries a
     * failed registerToken: the emulator's "Transaction lock timeout" under the drains' claims.
     */
    tokenMoveRetries: number;
    /** Moves that still failed after MOVE_ATTEMPTS (a sign-out then counts as a move alone). */
    tokenMovesFailed: string[];
    /** Deliveries whose claim committed while the token was not their user's (any answer). */
    claimsWhileNotOwned: number;
    /**
     * Deliveries FCM accepted after their token moved, claimed before it: the guarantee's named
     * window (claim commit to FCM's answer). Not misdelivered; measured by wall clock.
     */
    acceptedInMoveWindow: number;
    /** Claims inside a sign-out's few milliseconds, which the audit cannot order (see TokenMove). */
    ownershipUnsure: number;
    keyedItems: number;
    keyedItemsDeleted: number;
    keyEventsDelivered: number;
    /** Per key, anything but the newest event's outcome. */
    keyViolations: string[];
    /** Deliveries their notification does not list (see the check; not violations). */
    orphanDeliveries: string[];
    /** Window 1: after a drain died past FCM's accept, or lost its lease before writing. */
    duplicatesAfterCrash: number;
    /** Of those, after a lease ran out before the result was written (the run stalled). */
    duplicatesAfterLeaseLoss: number;
    /**
     * Accepted requests that reached FCM after another run had claimed the push since the
     * sender's own claim: a send that overlapped the next owner's (see the check).
     */
    sentAfterTakeover: number;
    /** Window 2: FCM accepted, its answer never reached the drain. */
    duplicatesAfterLostAnswer: number;
    /** What the drain saw instead of FCM's answer, for accepted requests (answer lost). */
    lostAnswerCodes: Record<string, number>;
    /** Why pushes went back to pending, from their history (one entry per retry written). */
    retriesByCode: Record<string, number>;
    /** Claims recorded in the pushes' history (each counts an attempt). */
    claims: number;
    acceptedRequests: number;
    fcmRequests: number;
    tokenRequests: number;
    drainsStarted: number;
    drainsCrashed: number;
    leaseLost: number;
    unregisteredTokens: number;
    tokensLeftForUnregistered: number;
    /** Dead tokens whose UNREGISTERED answer died with a killed drain (see above). */
    tokensUnlearned: number;
    /** Real milliseconds a drain's claim of one page took (chaos.claim log lines). */
    claimPageMs: { pages: number; p50: number; p95: number; max: number };
    /** Drains' store calls that took a second or more (real), by call. */
    slowCalls: Record<string, { calls: number; maxMs: number }>;
    logLines: number;
    secretsInLogs: string[];
    wallMs: number;
  };
  /** Broken guarantees, each explained; empty when the run passed. */
  violations: string[];
}

/** The per-request fault mix of the FCM server (the rest is accepted). */
const FAULT_MIX: Array<{ p: number; kind: FaultKind; script: FcmScript }> = [
  { p: 0.05, kind: 'quota429', script: { kind: 'error', code: 'QUOTA_EXCEEDED', retryAfter: 5 } },
  { p: 0.05, kind: 'internal500', script: { kind: 'error', code: 'INTERNAL' } },
  {
    p: 0.05,
    kind: 'unavailable503',
    script: { kind: 'error', code: 'UNAVAILABLE', retryAfter: 2 },
  },
  { p: 0.04, kind: 'timeout', script: { kind: 'hang' } },
  { p: 0.003, kind: 'dropConnection', script: { kind: 'drop' } },
];
/** Share of tokens FCM answers UNREGISTERED (always, as a real dead token). */
const UNREGISTERED_SHARE = 0.03;
/** Share of pushes with an expiry close enough to be reached by retries. */
const EXPIRING_SHARE = 0.05;
/** Chance that the token request after each one fails (403 from the metadata server). */
const TOKEN_FAILURE_RATE = 0.3;
/** Tokens registered through the registerToken callable (the rest are written directly). */
const REGISTERED_THROUGH_CALLABLE = 25;
/** Notifications reserved for later are due up to this long (virtual) after being queued. */
const NOTIFICATION_SPREAD_MS = 150_000;
/** Keyed reminders are due no earlier than this (virtual) after their events were queued. */
const KEYED_LEAD_MS = 140_000;
const KEYED_SPREAD_MS = 100_000;
/** Timed token moves happen within this (virtual) window from the drains' start. */
const MOVE_WINDOW_MS = 200_000;
/** Late key events arrive within this (virtual) window from the drains' start. */
const LATE_EVENT_WINDOW_MS = 300_000;
/** FCM's answer to a delivery whose token starts moving when FCM receives it. */
const MOVE_ON_SEND_ANSWER: FcmScript = { kind: 'error', code: 'UNAVAILABLE', retryAfter: 20 };

/**
 * The first owner of token i: tokens registered through the callable belong to a user each,
 * the others to users of two devices.
 */
function firstOwnerOf(i: number): string {
  return i < REGISTERED_THROUGH_CALLABLE ? `chaos-user-${i}` : `chaos-bulk-${Math.floor(i / 2)}`;
}

function fcmTokenFor(seed: number, i: number): string {
  // FCM-like: long, [A-Za-z0-9_:-]; random so no log line can contain it by chance.
  return `c${seed}-${i}:APA91b${randomBytes(66).toString('base64url')}`;
}

async function seedTokens(db: Firestore, tokens: string[], firstIndex: number): Promise<void> {
  const w = db.bulkWriter();
  const now = Timestamp.now();
  tokens.forEach((token, j) => {
    const i = firstIndex + j;
    void w.set(db.collection(PUSH_TOKENS).doc(tokenIdOf(token)), {
      uid: firstOwnerOf(i),
      token,
      platform: i % 2 ? 'android' : 'ios',
      createdAt: now,
      updatedAt: now,
    });
  });
  await w.close();
}

/**
 * From the drains' logs: percentiles of their page claim times (chaos.claim), and their store
 * calls slower than a second (chaos.slow_call) by call, with the longest.
 */
function drainTimes(logDir: string): {
  claimPageMs: { pages: number; p50: number; p95: number; max: number };
  slowCalls: Record<string, { calls: number; maxMs: number }>;
} {
  const ms: number[] = [];
  const slowCalls: Record<string, { calls: number; maxMs: number }> = {};
  for (const name of readdirSync(logDir)) {
    for (const line of readFileSync(join(logDir, name), 'utf8').split('\n')) {
      if (!line.includes('"chaos.claim"') && !line.includes('"chaos.slow_call"')) continue;
      const entry = JSON.parse(line) as { message?: string; realMs?: unknown; call?: string };
      if (typeof entry.realMs !== 'number') continue;
      if (entry.message === 'chaos.claim') ms.push(entry.realMs);
      else {
        const s = (slowCalls[entry.call ?? '?'] ??= { calls: 0, maxMs: 0 });
        s.calls++;
        s.maxMs = Math.max(s.maxMs, entry.realMs);
      }
    }
  }
  ms.sort((a, b) => a - b);
  const at = (q: number) => ms[Math.min(ms.length - 1, Math.floor(q * ms.length))] ?? 0;
  return {
    claimPageMs: { pages: ms.length, p50: at(0.5), p95: at(0.95), max: ms[ms.length - 1] ?? 0 },
    slowCalls,
  };
}

/**
 * Runs each task at its virtual moment, in order, while `over()` is false; answers the tasks
 * left when it became true.
 */
async function runInTime<T extends { atMs: number }>(
  tasks: readonly T[],
  now: () => number,
  over: () => boolean,
  run: (task: T) => Promise<void>,
): Promise<T[]> {
  const sorted = [...tasks].sort((a, b) => a.atMs - b.atMs);
  for (const [i, task] of sorted.entries()) {
    while (!over() && now() < task.atMs) {
      await sleep(Math.min(100, Math.max(1, (task.atMs - now()) / SPEED)));
    }
    if (over()) return sorted.slice(i);
    await run(task);
  }
  return [];
}

function runProcess(
  script: string,
  env: NodeJS.ProcessEnv,
  logFile: string,
  onControl?: (m: ControlMessage) => void,
  stdin?: string,
): Promise<number> {
  const logFd = openSync(logFile, 'a');
  const child = spawn(process.execPath, ['--import', 'tsx', join(__dirname, script)], {
    cwd: ROOT,
    env,
    stdio: [stdin === undefined ? 'ignore' : 'pipe', logFd, logFd, 'pipe'],
  });
  closeSync(logFd);
  if (stdin !== undefined) child.stdin?.end(stdin);
  const controlStream = child.stdio[3] as NodeJS.ReadableStream | null;
  const lines = controlStream ? createInterface({ input: controlStream }) : undefined;
  lines?.on('line', (line) => onControl?.(JSON.parse(line) as ControlMessage));
  return new Promise((resolveExit, reject) => {
    child.on('error', reject);
    // 'close' (not 'exit'): every control line has been read by then.
    child.on('close', (code, signal) => resolveExit(code ?? (signal ? 128 : 0)));
  });
}

export async function runChaos(options: ChaosOptions): Promise<ChaosReport> {
  const started = Date.now();
  const log = options.log ?? (() => undefined);
  const { seed } = options;
  const host = process.env.FIRESTORE_EMULATOR_HOST;
  if (!host) throw new Error('FIRESTORE_EMULATOR_HOST is not set');
  rmSync(options.logDir, { recursive: true, force: true });
  mkdirSync(options.logDir, { recursive: true });

  const faults = Object.fromEntries(FAULT_KINDS.map((k) => [k, 0])) as Record<FaultKind, number>;
  const violations: string[] = [];
  const app = initializeApp({ projectId: PROJECT_ID }, `chaos-${seed}-${started}`);
  const db = getFirestore(app);
  const stores = createStores(db);
  const meta = await startMetadataServer({ projectId: PROJECT_ID, tokenLifetimeSeconds: 4 });

  // Token moves: planned below, once the users are known; some start when FCM first receives a
  // delivery of the old owner to the token (see the first FCM rule).
  const moves = new Map<string, TokenMove>(); // tokenId -> the move made
  const movesStarted = new Set<string>(); // tokenIds
  const moveRuns: Array<Promise<void>> = [];
  const moveOnSend = new Map<string, TokenMovePlan>(); // delivery id -> its token's move
  let drainsOver = false;
  let tokenMoveRetries = 0;
  const tokenMovesFailed: string[] = [];
  const runMove = (plan: TokenMovePlan): Promise<void> => {
    movesStarted.add(plan.tokenId);
    const run = moveToken(db, stores.tokens, plan).then(
      (outcome) => {
        tokenMoveRetries += outcome.retries;
        if (outcome.move) {
          moves.set(plan.tokenId, outcome.move);
          faults.tokenMovedBetweenUsers++;
        }
        // A registerToken the app would retry later, not a delivery guarantee: counted, shown.
        if (outcome.failed) tokenMovesFailed.push(outcome.failed);
      },
      (err: unknown) => {
        violations.push(`token move broke: ${err instanceof Error ? err.message : String(err)}`);
      },
    );
    moveRuns.push(run);
    return run;
  };

  // FCM: a seeded fault per (push, nth request for that push), so the mix does not depend on
  // how the drains interleave. Dead tokens answer UNREGISTERED whenever no fault comes first.
  const requestsPerPush = new Map<string, number>();
  const answeredUnregistered = new Set<string>();
  const fcm = await startFcmServer({ isTokenValid: (t) => meta.isIssued(t) });
  fcm.rules.add((req) => {
    const pushId = (req.message.data as Record<string, string> | undefined)?.push_id ?? '?';
    const plan = moveOnSend.get(pushId);
    if (!plan || movesStarted.has(plan.tokenId) || drainsOver) return undefined;
    // The phone changes hands now, while this delivery waits to retry.
    void runMove(plan);
    return MOVE_ON_SEND_ANSWER;
  });
  fcm.rules.add((req) => {
    const data = (req.message.data ?? {}) as Record<string, string>;
    const pushId = data.push_id ?? '?';
    const nth = (requestsPerPush.get(pushId) ?? 0) + 1;
    requestsPerPush.set(pushId, nth);
    let u = seededUnit(seed, 'fcm', pushId, nth);
    for (const f of FAULT_MIX) {
      if (u < f.p) {
        faults[f.kind]++;
        return f.script;
      }
      u -= f.p;
    }
    const token = req.message.token;
    if (typeof token === 'string' && fcm.unregistered.has(token)) {
      faults.unregistered++;
      answeredUnregistered.add(token);
    }
    return undefined;
  });

  // Token refresh failures: before the first token request and after each one, maybe fail the
  // next. Tokens live 4 s (refreshed at half-life), so every drain refreshes several times.
  let finished = false;
  void (async () => {
    const next = prng(seed ^ 0x5eed);
    let armed = false;
    for (let n = 0; !finished; n++) {
      if (n > 0) await meta.waitForTokenRequests(n);
      if (finished) return;
      if (armed) faults.tokenRefreshFailure++;
      armed = next() < TOKEN_FAILURE_RATE;
      if (armed) meta.failNextTokenRequests(1);
    }
  })();

  try {
    // --- Seed: tokens (a sample through the callable), then the pushes.
    const rand = prng(seed);
    const tokens = Array.from({ length: options.pushes }, (_, i) => fcmTokenFor(seed, i));
    // Every 33rd token (offset by the seed) is dead: ~3 %, and never none in a small run.
    const deadEvery = Math.round(1 / UNREGISTERED_SHARE);
    tokens.forEach((t, i) => i % deadEvery === seed % deadEvery && fcm.unregistered.add(t));
    const viaCallable = tokens.slice(0, REGISTERED_THROUGH_CALLABLE);
    await seedTokens(db, tokens.slice(REGISTERED_THROUGH_CALLABLE), REGISTERED_THROUGH_CALLABLE);
    const firstOwner = new Map(tokens.map((t, i) => [t, firstOwnerOf(i)]));
    const childEnv: NodeJS.ProcessEnv = {
      ...process.env,
      // Every param at its default (the runtime sets them all, and reading settings refuses a
      // missing one), then the chaos values.
      ...defaultParamEnv(),
      FIRESTORE_EMULATOR_HOST: host,
      GCLOUD_PROJECT: PROJECT_ID,
      GCE_METADATA_HOST: meta.host,
      METADATA_SERVER_DETECTION: 'assume-present',
      TOKEN_CALLS_PER_MINUTE: '1000',
      MAX_DEVICES_PER_USER: '10',
      ENFORCE_APP_CHECK: 'false',
    };
    const regExit = await runProcess(
      'register-child.ts',
      childEnv,
      join(options.logDir, 'register.log'),
      undefined,
      JSON.stringify(viaCallable),
    );
    if (regExit !== 0) throw new Error(`registering tokens failed (see ${options.logDir})`);

    const t0 = Date.now();
    const now = virtualClock(t0, SPEED);
    // A seeded share of the pushes are notifications for the token's owner (resolved to the
    // user's devices when due); the rest go to the token itself.
    const forUser = (i: number) => seededUnit(seed, 'user', i) < options.userShare;
    const direct: Array<{
      request: PlannedPush['request'];
      targets: [{ token: string }];
      index: number;
    }> = [];
    const userRequests: Array<{ index: number; request: PushRequest }> = [];
    const queuedAt = now();
    tokens.forEach((token, i) => {
      const request: PushRequest = {
        to: { token },
        title: 'Chaos',
        content: `push ${i}`,
        data: { n: String(i) },
      };
      if (forUser(i)) {
        request.to = { uid: firstOwnerOf(i) };
        // Half due at once, half reserved up to NOTIFICATION_SPREAD_MS ahead.
        const u = seededUnit(seed, 'reserve', i);
        if (u < 0.5) request.reservedAtMs = queuedAt + 10_000 + 2 * u * NOTIFICATION_SPREAD_MS;
      }
      if (rand() < EXPIRING_SHARE) {
        request.expiresAtMs = (request.reservedAtMs ?? t0) + 20_000 + rand() * 180_000;
      }
      if ('uid' in request.to) userRequests.push({ index: i, request });
      else direct.push({ request, targets: [{ token }], index: i });
    });
    const planned: PlannedPush[] = planPushes(direct, {
      eventId: `chaos-${seed}`,
      nowMs: t0,
      source: { path: 'chaos', check: 'chaos' },
    });
    await stores.pushes.createAll(planned, t0);
    const queued = await queuePushes(stores, userRequests, {
      eventId: `chaos-${seed}-users`,
      eventTimeMs: t0,
      nowMs: now(),
      path: 'chaos/users',
      check: 'chaos',
    });
    if (queued.notificationIds.length !== userRequests.length) {
      violations.push(
        `${userRequests.length} user requests queued ${queued.notificationIds.length} notifications (skipped ${JSON.stringify(queued.skipped)})`,
      );
    }
    const users = [...new Set(userRequests.map((r) => (r.request.to as { uid: string }).uid))];

    // Keyed reminders of those users: every event up to the newest one's first delivery now,
    // before any reminder is due; replays and older events later, while the drains run.
    const keyedStart = now();
    const items: KeyedItem[] = planKeyedItems(seed, users.length ? options.keyedItems : 0, users, {
      eventTimeMs: t0,
      firstDueMs: keyedStart + KEYED_LEAD_MS,
      spreadMs: KEYED_SPREAD_MS,
    });
    const delivered: DeliveredEvents = new Map();
    let keyEventsDelivered = 0;
    const deliverEvent = async (item: KeyedItem, event: 'e1' | 'e2' | 'e3') => {
      const r = await deliverKeyEvent(stores, item, event, now(), delivered);
      keyEventsDelivered++;
      if (r.outOfOrder) faults.eventRedeliveredOutOfOrder++;
      if (r.violation) violations.push(r.violation);
    };
    await Promise.all(
      items.map(async (item) => {
        for (const d of item.deliveries) if (!d.late) await deliverEvent(item, d.event);
      }),
    );
    if (now() > keyedStart + KEYED_LEAD_MS - 10_000) {
      violations.push(
        `keyed events took ${now() - keyedStart} ms (virtual) to queue: reminders were nearly due, so the order test is void`,
      );
    }

    // Token moves: a share of the live tokens of those users moves to another user.
    const notificationsOf = new Map<string, string[]>();
    userRequests.forEach((r, j) => {
      const uid = (r.request.to as { uid: string }).uid;
      notificationsOf.set(uid, [...(notificationsOf.get(uid) ?? []), queued.notificationIds[j]!]);
    });
    for (const item of items) {
      notificationsOf.set(item.uid, [
        ...(notificationsOf.get(item.uid) ?? []),
        notificationIdOf(item, 'e1'),
        notificationIdOf(item, 'e2'),
      ]);
    }
    const userSet = new Set(users);
    const candidates = tokens.flatMap((token, i) =>
      userSet.has(firstOwnerOf(i)) && !fcm.unregistered.has(token)
        ? [{ index: i, token, tokenId: tokenIdOf(token), uid: firstOwnerOf(i) }]
        : [],
    );
    const movePlans = planTokenMoves(seed, candidates, users, options.movedShare);
    for (const plan of movePlans.filter((p) => p.when === 'on-send')) {
      for (const id of notificationsOf.get(plan.from) ?? []) {
        moveOnSend.set(deliveryIdOf(id, plan.tokenId), plan);
      }
    }
    log(
      `seeded ${planned.length} pushes, ${userRequests.length} notifications for users, ${items.length} keyed items; ` +
        `draining with ${options.drains} racing drains, ${movePlans.length} tokens to move`,
    );

    // --- Drain: keep `drains` processes running until one finds nothing pending.
    const answersByTag = new Map<string, { ok: boolean; code?: string }>();
    const unusedAccepts = new Map<string, 'crash' | 'lease-lost' | 'lost-answer'>(); // tag -> why
    let leaseLost = 0;
    let drainsStarted = 0;
    let drainsCrashed = 0;
    let kills = 0;
    let done = false;
    const killRand = prng(seed ^ 0x0c4a05);

    const onControl = (m: ControlMessage) => {
      if (m.event === 'answers') {
        for (const a of m.answers) {
          answersByTag.set(a.tag, a);
          if (!a.ok) unusedAccepts.set(a.tag, 'lost-answer');
        }
      } else if (m.event === 'kill') {
        faults[
          (
            {
              'after-claim': 'killAfterClaim',
              'mid-send': 'killMidSend',
              'after-accept': 'killAfterAccept',
            } as const
          )[m.point]
        ]++;
        for (const t of m.inFlight) unusedAccepts.set(t.tag, 'crash');
      } else if (m.event === 'lease-lost') {
        leaseLost += m.pushIds.length;
        // The run saw FCM's answers but could not write them before its lease ran out: the
        // guarantee's first window, like a crash after the accept.
        for (const t of m.tags) unusedAccepts.set(t, 'lease-lost');
      } else if (m.event === 'done') {
        done = true;
      }
    };

    const drainLoop = async (slot: number): Promise<void> => {
      while (!done && Date.now() - started < options.maxWallMs) {
        const childId = `d${slot}-${drainsStarted++}`;
        let kill: ChildConfig['kill'];
        if (kills < options.maxKills && killRand() < options.killRate) {
          kills++;
          const point: KillPoint = KILL_POINTS[Math.floor(killRand() * KILL_POINTS.length)]!;
          kill = { point, atPage: 1 + Math.floor(killRand() * 2) };
        }
        const cfg: ChildConfig = {
          childId,
          seed: Math.floor(killRand() * 2 ** 31),
          projectId: PROJECT_ID,
          fcmUrl: fcm.url,
          t0,
          speed: SPEED,
          leaseMs: LEASE_MS,
          leaseSafetyMs: LEASE_SAFETY_MS,
          backoffBaseMs: BACKOFF_BASE_MS,
          timeBudgetMs: 10 * 60_000,
          maxAttempts: MAX_ATTEMPTS,
          batchSize: options.batchSize,
          fcmTimeoutMs: FCM_TIMEOUT_MS,
          ...(kill ? { kill } : {}),
          ...(options.shardWorkers
            ? { shards: ALL_SHARDS.filter((s) => s % options.drains === slot) }
            : {}),
        };
        const code = await runProcess(
          'drain-child.ts',
          { ...childEnv, CHAOS_CHILD: JSON.stringify(cfg) },
          join(options.logDir, `${childId}.log`),
          onControl,
        );
        if (code !== 0 && code !== 86) drainsCrashed++;
        log(
          `drain ${childId} exited ${code}${kill ? ` (plan: ${kill.point} at page ${kill.atPage})` : ''}`,
        );
      }
    };
    const drainStart = now();
    const drains = Promise.all(Array.from({ length: options.drains }, (_, i) => drainLoop(i))).then(
      () => void (drainsOver = true),
    );
    // While the drains run: timed token moves, and late (replayed, older) key events.
    const timedMoves = runInTime(
      movePlans
        .filter((p) => p.when === 'timed')
        .map((plan) => ({ plan, atMs: drainStart + plan.atFraction * MOVE_WINDOW_MS })),
      now,
      () => drainsOver,
      async ({ plan }) => {
        if (!movesStarted.has(plan.tokenId)) await runMove(plan);
      },
    );
    const lateEvents = runInTime(
      items.flatMap((item) =>
        item.deliveries
          .filter((d) => d.late)
          .map((d) => ({
            item,
            event: d.event,
            atMs: drainStart + d.atFraction * LATE_EVENT_WINDOW_MS,
          })),
      ),
      now,
      () => drainsOver,
      ({ item, event }) => deliverEvent(item, event),
    );
    await drains;
    if (!done) violations.push(`the run did not converge within ${options.maxWallMs} ms`);
    const movesLeft = await timedMoves;
    // Late events left when the drains ended are delivered now: each is a replay or older than
    // the newest, so it must write nothing (a pending notification would show it below).
    for (const { item, event } of await lateEvents) await deliverEvent(item, event);
    await Promise.all(moveRuns);
    const tokenMovesSkipped =
      movesLeft.length +
      movePlans.filter((p) => p.when === 'on-send' && !movesStarted.has(p.tokenId)).length;

    // --- Check what must hold.
    const snap = await db.collection(PUSHES).get();
    const notificationSnap = await db.collection(NOTIFICATIONS).get();
    const acceptedTags = new Map<string, string[]>();
    const acceptedAt = new Map<string, number>(); // tag -> wall-clock ms FCM received it
    const acceptedEvents = new Map<number, Set<string>>();
    for (const a of fcm.accepted) {
      const data = a.message.data as Record<string, string>;
      const tag = data[TAG_KEY] ?? '?';
      const list = acceptedTags.get(data.push_id ?? '?') ?? [];
      list.push(tag);
      acceptedTags.set(data.push_id ?? '?', list);
      acceptedAt.set(tag, a.receivedAt);
      if (data[ITEM_DATA_KEY] !== undefined) {
        const n = Number(data[ITEM_DATA_KEY]);
        acceptedEvents.set(
          n,
          (acceptedEvents.get(n) ?? new Set()).add(data[EVENT_DATA_KEY] ?? '?'),
        );
      }
    }
    const FINAL = new Set(['sent', 'failed', 'rejected', 'expired', 'cancelled']);
    const byStatus: Record<string, number> = {};
    let lost = 0;
    let retries = 0;
    let duplicates = 0;
    let duplicatesAfterCrash = 0;
    let duplicatesAfterLeaseLoss = 0;
    let sentAfterTakeover = 0;
    let duplicatesAfterLostAnswer = 0;
    let misdelivered = 0;
    let claimsWhileNotOwned = 0;
    let acceptedInMoveWindow = 0;
    let ownershipUnsure = 0;
    let notOwned = 0;
    const deliveryDocs = new Map<string, string>(); // delivery id -> notification id
    const lostAnswerCodes: Record<string, number> = {};
    const retriesByCode: Record<string, number> = {};
    let claims = 0;
    for (const d of snap.docs) {
      const status = String(d.get('status'));
      byStatus[status] = (byStatus[status] ?? 0) + 1;
      const notificationId = d.get('notificationId') as string | undefined;
      if (notificationId !== undefined) deliveryDocs.set(d.id, notificationId);
      retries += Math.max(0, Number(d.get('attempts') ?? 0) - 1);
      const history = (d.get('history') ?? []) as Array<{
        at: Timestamp;
        event: string;
        code?: string;
        by?: string;
      }>;
      const claimsOf: Array<{ atMs: number; child: string }> = [];
      for (const h of history) {
        if (h.event === 'claimed') {
          claims++;
          claimsOf.push({ atMs: h.at.toMillis(), child: (h.by ?? '').split(':')[0]! });
        } else if (h.event === 'pending') {
          retriesByCode[h.code ?? '?'] = (retriesByCode[h.code ?? '?'] ?? 0) + 1;
        }
      }
      const tags = acceptedTags.get(d.id) ?? [];
      // An accepted request that reached FCM after another run had claimed the push since this
      // run's own claim: the two sends overlapped (a run stalled past its lease). Measured by the
      // shared clock (the FCM server's arrival time, in virtual ms).
      for (const t of tags) {
        const child = t.split('.')[0]!;
        const arrivedMs = t0 + ((acceptedAt.get(t) ?? 0) - t0) * SPEED;
        const own = claimsOf.filter((c) => c.child === child && c.atMs <= arrivedMs).pop();
        if (
          own &&
          claimsOf.some((c) => c.child !== child && c.atMs > own.atMs && c.atMs < arrivedMs)
        ) {
          sentAfterTakeover++;
        }
      }
      if (!FINAL.has(status)) {
        lost++;
        violations.push(`push ${d.id} ended ${status}, not in a final state`);
        continue;
      }
      if (status === 'sent' && tags.length === 0) {
        lost++;
        violations.push(`push ${d.id} is marked sent but FCM never accepted it`);
      }
      // Accepts whose answer a drain used (it then wrote the result): at most one per push.
      const used = tags.filter((t) => !unusedAccepts.has(t));
      if (used.length > 1) {
        violations.push(`push ${d.id} was accepted ${tags.length} times (${used.join(', ')})`);
      }
      if (status !== 'sent' && used.length > 0) {
        violations.push(`push ${d.id} ended ${status} although a drain saw FCM accept it`);
      }
      for (const t of tags) {
        const code = answersByTag.get(t)?.code;
        if (code) lostAnswerCodes[code] = (lostAnswerCodes[code] ?? 0) + 1;
      }
      const extra = Math.max(0, tags.length - 1);
      duplicates += extra;
      // Window 1: the run died after the accept, or its lease ran out before it wrote the result.
      const crashes = tags.filter((t) => unusedAccepts.get(t) === 'crash').length;
      const leaseLosses = tags.filter((t) => unusedAccepts.get(t) === 'lease-lost').length;
      const lostAnswers = tags.filter((t) => unusedAccepts.get(t) === 'lost-answer').length;
      const byCrash = Math.min(extra, crashes + leaseLosses);
      duplicatesAfterCrash += byCrash;
      duplicatesAfterLeaseLoss += Math.min(byCrash, leaseLosses);
      duplicatesAfterLostAnswer += Math.min(extra - byCrash, lostAnswers);

      // A user's delivery: was its token its user's when its claim committed?
      if (notificationId === undefined) continue;
      const uid = String(d.get('uid'));
      const token = String(d.get('pushToken'));
      const tokenId = tokenIdOf(token);
      if (status === 'cancelled' && d.get('result.code') === 'DEVICE_NOT_OWNED') {
        notOwned++;
        if (!moves.has(tokenId) && !fcm.unregistered.has(token)) {
          lost++;
          violations.push(
            `delivery ${d.id} ended DEVICE_NOT_OWNED, yet its token never left ${uid}`,
          );
        }
      }
      const claimedAt = d.get('claimCommittedAt') as Timestamp | undefined;
      if (!claimedAt) {
        if (tags.length > 0) violations.push(`delivery ${d.id} was accepted but never claimed`);
        continue;
      }
      const move = moves.get(tokenId);
      const owned = ownershipAt(firstOwner.get(token), move, uid, claimedAt);
      if (owned === 'unsure') ownershipUnsure++;
      if (owned === 'not-owned') {
        claimsWhileNotOwned++;
        violations.push(
          `delivery ${d.id} (${uid}) was claimed at ${claimedAt.toDate().toISOString()} while its token was not ${uid}'s`,
        );
        if (tags.length > 0) {
          misdelivered++;
          violations.push(
            `delivery ${d.id} for ${uid} was misdelivered: FCM accepted it ${tags.length} time(s)`,
          );
        }
      } else if (move && uid === move.plan.from) {
        acceptedInMoveWindow += tags.filter(
          (t) => (acceptedAt.get(t) ?? 0) > move.leftAt.toMillis(),
        ).length;
      }
    }

    // Notifications: every one final, an expanded one with all its deliveries.
    const NOTIFICATION_FINAL = new Set([
      'expanded',
      'undeliverable',
      'expired',
      'failed',
      'cancelled',
    ]);
    const notificationsByStatus: Record<string, number> = {};
    const orphanDeliveries: string[] = [];
    const notificationIds = new Set<string>();
    for (const n of notificationSnap.docs) {
      notificationIds.add(n.id);
      const status = String(n.get('status'));
      notificationsByStatus[status] = (notificationsByStatus[status] ?? 0) + 1;
      if (!NOTIFICATION_FINAL.has(status)) {
        lost++;
        violations.push(`notification ${n.id} ended ${status}, not in a final state`);
        continue;
      }
      if (status !== 'expanded') continue;
      const ids = (n.get('deliveryIds') ?? []) as string[];
      for (const id of ids) {
        if (deliveryDocs.get(id) !== n.id) {
          lost++;
          violations.push(`notification ${n.id} was expanded into ${id}, which is missing`);
        }
      }
    }
    // A delivery its notification does not list: an expansion whose lease ran out before it
    // recorded its deliveries, replayed by another run after a device had left the user (or
    // after the notification expired). Not lost and not misdelivered (its claim checks the token
    // like any other), but cancel-by-key and operators go by the list: counted and shown.
    const listed = new Set(
      notificationSnap.docs.flatMap((n) => (n.get('deliveryIds') ?? []) as string[]),
    );
    const notificationById = new Map(notificationSnap.docs.map((n) => [n.id, n]));
    for (const [deliveryId, notificationId] of deliveryDocs) {
      if (listed.has(deliveryId)) continue;
      const n = notificationById.get(notificationId);
      const history = ((n?.get('history') ?? []) as Array<{ event: string; by?: string }>)
        .map((h) => `${h.event}${h.by ? `:${h.by}` : ''}`)
        .join(' ');
      const delivery = snap.docs.find((d) => d.id === deliveryId);
      const token = String(delivery?.get('pushToken'));
      orphanDeliveries.push(
        `delivery ${deliveryId} (${String(delivery?.get('status'))}, ${String(delivery?.get('result.code') ?? '')}) ` +
          `is not among the deliveries of notification ${notificationId} ` +
          `(${String(n?.get('status'))}, ${String(n?.get('deliveryIds')?.length)} listed; history: ${history}); ` +
          `its token ${moves.has(tokenIdOf(token)) ? 'moved' : 'never moved'}`,
      );
    }
    for (const id of queued.notificationIds) {
      if (!notificationIds.has(id)) {
        lost++;
        violations.push(`notification ${id} was queued and is missing`);
      }
    }
    // Every delivery a notification lists exists (checked above); the rest are the direct pushes.
    const expectedPushDocuments = planned.length + deliveryDocs.size;
    if (snap.size !== expectedPushDocuments) {
      lost += Math.max(0, expectedPushDocuments - snap.size);
      violations.push(
        `${snap.size} push documents, expected ${expectedPushDocuments} (${planned.length} direct + ${deliveryDocs.size} deliveries)`,
      );
    }
    const far = Timestamp.fromMillis(Date.now() + 365 * 86_400_000);
    const due = await db
      .collection(PUSHES)
      .where('isSent', '==', false)
      .where('nextAttemptAt', '<=', far)
      .get();
    if (!due.empty) violations.push(`${due.size} pushes still due or leased`);
    const dueNotifications = await db
      .collection(NOTIFICATIONS)
      .where('isExpanded', '==', false)
      .where('nextAttemptAt', '<=', far)
      .get();
    if (!dueNotifications.empty) {
      violations.push(`${dueNotifications.size} notifications still due or leased`);
    }

    // Keyed reminders: per key, the newest event's outcome only.
    const keyViolations = await checkKeyedItems(db, items, acceptedEvents);
    violations.push(...keyViolations);

    // A dead token must be gone once a drain that saw UNREGISTERED recorded it (the token is
    // deleted before the push's result is written). A drain killed between FCM's answer and its
    // writes takes that knowledge with it; if the push then expires or runs out of attempts before
    // FCM is asked again, the token stays until pruneStaleTokens or the next push to it. Those
    // are counted (unlearned), not violations.
    let tokensLeft = 0;
    let tokensUnlearned = 0;
    for (const token of answeredUnregistered) {
      if (!(await db.collection(PUSH_TOKENS).doc(tokenIdOf(token)).get()).exists) continue;
      const recorded = await db
        .collection(PUSHES)
        .where('pushToken', '==', token)
        .where('result.code', '==', 'UNREGISTERED')
        .limit(1)
        .get();
      if (recorded.empty) tokensUnlearned++;
      else tokensLeft++;
    }
    if (tokensLeft) {
      violations.push(`${tokensLeft} tokens still stored after a drain recorded UNREGISTERED`);
    }

    // --- Logs: no FCM token and no access token in any line any process wrote.
    const scan = findSecretsInLogs(options.logDir, {
      fcmTokens: tokens,
      accessTokens: meta.issuedTokens(),
    });
    for (const s of scan.found) violations.push(`secret in logs: ${s}`);
    const { claimPageMs, slowCalls } = drainTimes(options.logDir);
    if (scan.lines === 0) violations.push('no log lines captured: the secret check saw nothing');

    const madeMoves = [...moves.values()];
    return {
      seed,
      pushes: options.pushes,
      faults,
      retries,
      duplicates,
      lost,
      misdelivered,
      details: {
        byStatus,
        directPushes: planned.length,
        userNotifications: userRequests.length,
        notificationsByStatus,
        deliveries: deliveryDocs.size,
        expectedPushDocuments,
        pushDocuments: snap.size,
        notOwned,
        tokenMoves: madeMoves.length,
        tokenMovesBySignOut: madeMoves.filter((m) => m.plan.how === 'sign-out').length,
        tokenMovesOnSend: madeMoves.filter((m) => m.plan.when === 'on-send').length,
        tokenMovesSkipped,
        tokenMoveRetries,
        tokenMovesFailed,
        claimsWhileNotOwned,
        acceptedInMoveWindow,
        ownershipUnsure,
        keyedItems: items.length,
        keyedItemsDeleted: items.filter((i) => i.final === 'e3').length,
        keyEventsDelivered,
        keyViolations,
        orphanDeliveries,
        duplicatesAfterCrash,
        duplicatesAfterLeaseLoss,
        sentAfterTakeover,
        duplicatesAfterLostAnswer,
        lostAnswerCodes,
        retriesByCode,
        claims,
        acceptedRequests: fcm.accepted.length,
        fcmRequests: fcm.requestCount,
        tokenRequests: meta.tokenRequests.length,
        drainsStarted,
        drainsCrashed,
        leaseLost,
        unregisteredTokens: fcm.unregistered.size,
        tokensLeftForUnregistered: tokensLeft,
        tokensUnlearned,
        claimPageMs,
        slowCalls,
        logLines: scan.lines,
        secretsInLogs: scan.found,
        wallMs: Date.now() - started,
      },
      violations,
    };
  } finally {
    finished = true;
    drainsOver = true;
    await Promise.allSettled(moveRuns);
    await fcm.close();
    await meta.close();
    await deleteApp(app);
  }
}
