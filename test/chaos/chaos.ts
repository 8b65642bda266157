/**
 * The chaos run: thousands of pushes drained by several racing drain processes through a local
 * FCM server that fails in seeded ways, an access-token source that fails now and then, and drains
 * killed by process exit at the worst moments. It ends when no push is pending, then checks what
 * must hold whatever happened: every push final, no push lost, no push sent twice except where a
 * drain died after FCM accepted it (or FCM's answer never reached the drain), dead tokens deleted,
 * and no secret in any log line.
 *
 * Used by `npm run test:chaos` (test/chaos/run.ts, 3,000 pushes) and by the integration tier
 * (test/integration/chaos, ~300 pushes) with the same code.
 */
import { spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { closeSync, mkdirSync, openSync, rmSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { createInterface } from 'node:readline';
import { deleteApp, initializeApp } from 'firebase-admin/app';
import { getFirestore, Timestamp, type Firestore } from 'firebase-admin/firestore';
import { defaultParamEnv } from '../../functions/src/config/defaults';
import { leaseSafetyMsFor } from '../../functions/src/config/settings';
import { createPushStore, PUSHES } from '../../functions/src/adapters/push-store';
import { PUSH_TOKENS } from '../../functions/src/adapters/token-store';
import { planPushes, type PlannedPush } from '../../functions/src/core/push';
import { tokenIdOf } from '../../functions/src/core/token-id';
import { startFcmServer, type FcmScript } from '../../tools/local-google/fcm-server';
import { startMetadataServer } from '../../tools/local-google/metadata-server';
import { findSecretsInLogs } from './log-secrets';
import {
  KILL_POINTS,
  prng,
  seededUnit,
  TAG_KEY,
  type ChildConfig,
  type ControlMessage,
  type KillPoint,
} from './shared';

const ROOT = resolve(__dirname, '..', '..');
const PROJECT_ID = 'demo-push';

export interface ChaosOptions {
  seed: number;
  pushes: number;
  /** Drain processes running at once. */
  drains: number;
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
 * page plus that margin, 45 s): 60 s virtual = 3 s real. Backoff base 2 s virtual = 0.1 s real.
 */
const LEASE_SAFETY_MS = leaseSafetyMsFor(FCM_TIMEOUT_MS * SPEED);
const LEASE_MS = 60_000;
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
] as const;
export type FaultKind = (typeof FAULT_KINDS)[number];

export interface ChaosReport {
  seed: number;
  pushes: number;
  faults: Record<FaultKind, number>;
  retries: number;
  duplicates: number;
  lost: number;
  /** Everything else measured, for the figures and the tests. */
  details: {
    byStatus: Record<string, number>;
    duplicatesAfterCrash: number;
    duplicatesAfterLostAnswer: number;
    /** What the drain saw instead of FCM's answer, for accepted requests (answer lost). */
    lostAnswerCodes: Record<string, number>;
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

function fcmTokenFor(seed: number, i: number): string {
  // FCM-like: long, [A-Za-z0-9_:-]; random so no log line can contain it by chance.
  return `c${seed}-${i}:APA91b${randomBytes(66).toString('base64url')}`;
}

async function seedTokens(db: Firestore, tokens: string[]): Promise<void> {
  const w = db.bulkWriter();
  const now = Timestamp.now();
  tokens.forEach((token, i) => {
    void w.set(db.collection(PUSH_TOKENS).doc(tokenIdOf(token)), {
      uid: `chaos-bulk-${i}`,
      token,
      platform: i % 2 ? 'android' : 'ios',
      createdAt: now,
      updatedAt: now,
    });
  });
  await w.close();
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
  const meta = await startMetadataServer({ projectId: PROJECT_ID, tokenLifetimeSeconds: 4 });

  // FCM: a seeded fault per (push, nth request for that push), so the mix does not depend on
  // how the drains interleave. Dead tokens answer UNREGISTERED whenever no fault comes first.
  const requestsPerPush = new Map<string, number>();
  const answeredUnregistered = new Set<string>();
  const fcm = await startFcmServer({ isTokenValid: (t) => meta.isIssued(t) });
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
    await seedTokens(db, tokens.slice(REGISTERED_THROUGH_CALLABLE));
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
    const planned: PlannedPush[] = planPushes(
      tokens.map((token, i) => {
        const request: PlannedPush['request'] = {
          to: { token },
          title: 'Chaos',
          content: `push ${i}`,
          data: { n: String(i) },
        };
        if (rand() < EXPIRING_SHARE) request.expiresAtMs = t0 + 20_000 + rand() * 180_000;
        return { request, targets: [{ token }], index: i };
      }),
      { eventId: `chaos-${seed}`, nowMs: t0, source: { path: 'chaos', check: 'chaos' } },
    );
    await createPushStore(db).createAll(planned, t0);
    log(`seeded ${planned.length} pushes; draining with ${options.drains} racing drains`);

    // --- Drain: keep `drains` processes running until one finds nothing pending.
    const answersByTag = new Map<string, { ok: boolean; code?: string }>();
    const unusedAccepts = new Map<string, 'crash' | 'lost-answer'>(); // tag -> why
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
    await Promise.all(Array.from({ length: options.drains }, (_, i) => drainLoop(i)));
    if (!done) violations.push(`the run did not converge within ${options.maxWallMs} ms`);

    // --- Check what must hold.
    const snap = await db.collection(PUSHES).get();
    const acceptedTags = new Map<string, string[]>();
    for (const a of fcm.accepted) {
      const data = a.message.data as Record<string, string>;
      const list = acceptedTags.get(data.push_id ?? '?') ?? [];
      list.push(data[TAG_KEY] ?? '?');
      acceptedTags.set(data.push_id ?? '?', list);
    }
    const FINAL = new Set(['sent', 'failed', 'rejected', 'expired', 'cancelled']);
    const byStatus: Record<string, number> = {};
    let lost = 0;
    let retries = 0;
    let duplicates = 0;
    let duplicatesAfterCrash = 0;
    let duplicatesAfterLostAnswer = 0;
    const lostAnswerCodes: Record<string, number> = {};
    for (const d of snap.docs) {
      const status = String(d.get('status'));
      byStatus[status] = (byStatus[status] ?? 0) + 1;
      retries += Math.max(0, Number(d.get('attempts') ?? 0) - 1);
      const tags = acceptedTags.get(d.id) ?? [];
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
      const crashes = tags.filter((t) => unusedAccepts.get(t) === 'crash').length;
      const lostAnswers = tags.filter((t) => unusedAccepts.get(t) === 'lost-answer').length;
      const byCrash = Math.min(extra, crashes);
      duplicatesAfterCrash += byCrash;
      duplicatesAfterLostAnswer += Math.min(extra - byCrash, lostAnswers);
    }
    if (snap.size !== options.pushes) {
      lost += Math.max(0, options.pushes - snap.size);
      violations.push(`${snap.size} push documents, expected ${options.pushes}`);
    }
    const due = await db
      .collection(PUSHES)
      .where('isSent', '==', false)
      .where('nextAttemptAt', '<=', Timestamp.fromMillis(Date.now() + 365 * 86_400_000))
      .get();
    if (!due.empty) violations.push(`${due.size} pushes still due or leased`);

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
    if (scan.lines === 0) violations.push('no log lines captured: the secret check saw nothing');

    return {
      seed,
      pushes: options.pushes,
      faults,
      retries,
      duplicates,
      lost,
      details: {
        byStatus,
        duplicatesAfterCrash,
        duplicatesAfterLostAnswer,
        lostAnswerCodes,
        acceptedRequests: fcm.accepted.length,
        fcmRequests: fcm.requestCount,
        tokenRequests: meta.tokenRequests.length,
        drainsStarted,
        drainsCrashed,
        leaseLost,
        unregisteredTokens: fcm.unregistered.size,
        tokensLeftForUnregistered: tokensLeft,
        tokensUnlearned,
        logLines: scan.lines,
        secretsInLogs: scan.found,
        wallMs: Date.now() - started,
      },
      violations,
    };
  } finally {
    finished = true;
    await fcm.close();
    await meta.close();
    await deleteApp(app);
  }
}
