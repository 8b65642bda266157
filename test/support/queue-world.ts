/**
 * The queue tests' world (test/integration/queue): the integration tier's Firestore emulator, the
 * local FCM v1 server with our FCM client pointed at it, a manual clock, the product's stores as
 * the drain's deps, and drain settings. Call `useQueueWorld` inside a `describe`: it registers the
 * hooks that start the servers once, clear the documents, the FCM server's record and rules, and
 * build fresh deps (which a test may change) before each test, and close everything afterwards.
 */
import { after, afterEach, before, beforeEach } from 'node:test';
import assert from 'node:assert/strict';
import type { Firestore } from 'firebase-admin/firestore';
import { createStores, type Stores } from '../../functions/src/adapters/stores';
import { tokenIdOf } from '../../functions/src/core/token-id';
import type { RegisterTokenInput } from '../../functions/src/core/token-registration';
import {
  drainDuePushes,
  type DrainDeps,
  type DrainReport,
  type DrainSettings,
} from '../../functions/src/use-cases/drain-pushes';
import { acceptPushRequest, type OutboxOutcome } from '../../functions/src/use-cases/outbox';
import { seedDuePushes } from '../../tools/bench/seed-pushes';
import { startLocalFcm, type LocalFcm } from '../../tools/local-google/local-fcm';
import { useTestFirestore, type TestFirestore } from './emulated-firestore';
import { manualClock, type ManualClock } from './manual-clock';

export interface QueueWorldOptions<X extends object> {
  /** The FCM client's options against the local FCM server (its defaults when absent). */
  fcm?: { timeoutMs?: number; concurrency?: number };
  /**
   * Where the manual clock stands at the start of each test; the deps read it. Absent: the deps
   * read real time (`Date.now`) and the clock is not used.
   */
  startMs?: number;
  /** This file's drain settings over the common ones (see `settings`). */
  settings?: Partial<DrainSettings>;
  /** Deps beyond the stores, built before each test on the emulator's database. */
  extraDeps?: (db: Firestore) => X;
}

export interface QueueWorld<X extends object = object> {
  fs: TestFirestore;
  fcm: LocalFcm;
  clock: ManualClock;
  /** The stores, the FCM client, the clock and `random: () => 0.5`; fresh for each test. */
  deps: DrainDeps & Stores & X;
  /** A number not given out before in this file (run ids, document names). */
  seq(): number;
  /** Drain settings: the common ones, this file's, then `over`; each with its own run id. */
  settings(over?: Partial<DrainSettings>): DrainSettings;
  /** One drain run on `deps` with `settings(over)`. */
  drain(over?: Partial<DrainSettings>): Promise<DrainReport>;
  /**
   * Registers `token` as a device of `uid`, Android unless `meta` says otherwise (moving it there
   * if another user had it).
   */
  device(uid: string, token: string, meta?: Partial<RegisterTokenInput>): Promise<unknown>;
  /** An outbox request at pushRequests/`name`, queued now; asserts that it was accepted. */
  accept(request: Record<string, unknown>, name?: string): Promise<AcceptedIds>;
  /** The outcome of an outbox request at pushRequests/`name`, queued now (accepted or not). */
  outbox(request: Record<string, unknown>, name?: string): Promise<OutboxOutcome>;
  /** `count` due pushes, each to its own token, through the push store; answers their ids. */
  seed(count: number, prefix?: string, atMs?: number): Promise<string[]>;
  /** A document's data (it must exist). */
  data(collection: string, id: string): Promise<FirebaseFirestore.DocumentData>;
  /**
   * Asserts a document's status and its result's code (what FCM or the drain decided); answers
   * its data for further checks.
   */
  assertResult(
    collection: 'pushes' | 'notifications',
    id: string,
    status: string,
    code: string,
  ): Promise<FirebaseFirestore.DocumentData>;
  /** Whether `token` is still registered (its pushTokens document exists). */
  hasToken(token: string): Promise<boolean>;
  /**
   * A run that claims up to ten due pushes, as `runId` with a lease of `leaseMs`, and then does
   * nothing more (it died, or it is slow): answers the claim.
   */
  claimDue(runId: string, leaseMs?: number): ReturnType<Stores['pushes']['claim']>;
}

export interface AcceptedIds {
  pushIds: string[];
  notificationIds: string[];
}

/**
 * A write to appointments/`appointmentId` as the example check's trigger sees it: event `eventId`
 * at `atMs`, handled then (add `before` and `after`).
 */
export function appointmentEvent(appointmentId: string, eventId: string, atMs: number) {
  return {
    eventId,
    eventTimeMs: atMs,
    path: `appointments/${appointmentId}`,
    params: { appointmentId },
    nowMs: atMs,
  };
}

const COMMON_SETTINGS: Omit<DrainSettings, 'runId'> = {
  batchSize: 50,
  timeBudgetMs: 60_000,
  leaseMs: 60_000,
  leaseSafetyMs: 5_000,
  maxAttempts: 3,
  backoffBaseMs: 10_000,
};

export function useQueueWorld<X extends object = object>(
  options: QueueWorldOptions<X> = {},
): QueueWorld<X> {
  let n = 0;
  const seq = () => n++;
  const clock = manualClock(options.startMs);
  const now = () => (options.startMs === undefined ? Date.now() : clock.now());

  const world: QueueWorld<X> = {
    fs: useTestFirestore(),
    fcm: undefined as unknown as LocalFcm,
    clock,
    deps: undefined as unknown as QueueWorld<X>['deps'],
    seq,
    settings: (over = {}) => ({
      ...COMMON_SETTINGS,
      runId: `run-${seq()}`,
      ...options.settings,
      ...over,
    }),
    drain: (over) => drainDuePushes(world.deps, world.settings(over)),
    device: (uid, token, meta = {}) =>
      world.deps.tokens.save(uid, tokenIdOf(token), { token, platform: 'android', ...meta }, 10),
    async accept(request, name) {
      const out = await world.outbox(request, name);
      assert.equal(out.status, 'accepted', JSON.stringify(out));
      return out.status === 'accepted' ? out.queued : { pushIds: [], notificationIds: [] };
    },
    outbox: (request, name = `r-${seq()}`) =>
      acceptPushRequest(world.deps, request, {
        path: `pushRequests/${name}`,
        createTimeMs: now(),
        nowMs: now(),
      }),
    seed: (count, prefix = `s${seq()}`, atMs = now()) =>
      seedDuePushes(world.deps.pushes, count, atMs, prefix),
    data: async (collection, id) =>
      (await world.fs.db.collection(collection).doc(id).get()).data()!,
    async assertResult(collection, id, status, code) {
      const d = await world.data(collection, id);
      assert.equal(d.status, status);
      assert.equal(d.result.code, code);
      return d;
    },
    hasToken: async (token) =>
      (await world.fs.db.collection('pushTokens').doc(tokenIdOf(token)).get()).exists,
    claimDue: async (runId, leaseMs = 60_000) =>
      world.deps.pushes.claim(await world.deps.pushes.findDue(now(), 10), {
        nowMs: now(),
        leaseMs,
        runId,
      }),
  };

  before(async () => {
    world.fcm = await startLocalFcm(options.fcm);
  });
  beforeEach(() => {
    world.fcm.server.rules.clear();
    world.fcm.server.accepted.length = 0;
    world.fcm.server.unregistered.clear();
    if (options.startMs !== undefined) clock.set(options.startMs);
    world.deps = {
      ...createStores(world.fs.db),
      sender: world.fcm.sender,
      now: options.startMs === undefined ? Date.now : clock.now,
      random: () => 0.5,
      ...(options.extraDeps?.(world.fs.db) as X),
    };
  });
  afterEach(() => world.fcm.server.rules.clear());
  after(() => world.fcm.close());
  return world;
}
