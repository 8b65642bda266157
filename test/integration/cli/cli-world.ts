/**
 * What the CLI tests run against: the integration tier's Firestore emulator, a local metadata
 * server and a local FCM v1 server that accepts only the metadata server's tokens (the local
 * stack's arrangement, so the CLI's local token path is the one exercised). Notifications and
 * pushes are put into their states by the product's own code (outbox, expand, claim, deliver,
 * drain) against that FCM server.
 */
import { after, before, beforeEach } from 'node:test';
import assert from 'node:assert/strict';
import {
  createOperatorActions,
  type ChangeOutcome,
  type DocumentKind,
} from '../../../functions/src/adapters/operator-actions';
import type { PushStore } from '../../../functions/src/adapters/push-store';
import { createStores, type Stores } from '../../../functions/src/adapters/stores';
import type { TokenStore } from '../../../functions/src/adapters/token-store';
import { tokenIdOf } from '../../../functions/src/core/token-id';
import {
  createAccessTokenProvider,
  createFcmSender,
  type FcmSender,
} from '../../../functions/src/fcm';
import { acceptPushRequest } from '../../../functions/src/use-cases/outbox';
import { deliverNow } from '../../../functions/src/use-cases/deliver-pushes';
import { drainDuePushes, type DrainReport } from '../../../functions/src/use-cases/drain-pushes';
import { expandNow } from '../../../functions/src/use-cases/expand-notifications';
import { localMetadataTokenSource } from '../../../tools/cli/src/local-token';
import { startLocalGoogle } from '../../../tools/local-google/demo-google';
import type { FcmServer } from '../../../tools/local-google/fcm-server';
import type { MetadataServer } from '../../../tools/local-google/metadata-server';
import { runCliHere, spawnCli, type CliRun } from '../../support/cli-run';
import { connectTestFirestore, type TestFirestore } from '../../support/emulated-firestore';
import { LOCAL_PROJECT_ID } from '../../../tools/local-env/local-env';

export type { CliRun } from '../../support/cli-run';

export interface CliWorld {
  fs: TestFirestore;
  fcm: FcmServer;
  metadata: MetadataServer;
  stores: Stores;
  pushes: PushStore;
  tokens: TokenStore;
  /** Flags that point the CLI's local mode at this world's FCM and metadata servers. */
  localFlags(): string[];
  /** The CLI in this process, exactly as the binary runs it. */
  cli(argv: string[], env?: NodeJS.ProcessEnv): Promise<CliRun>;
  /** The CLI as a child process (bin/fcm-push.js through tsx). */
  spawnCli(argv: string[], env?: NodeJS.ProcessEnv): Promise<CliRun>;
  /** Queues a push to `token` through the outbox path; answers its id. */
  queue(token: string, over?: Record<string, unknown>, nowMs?: number): Promise<string>;
  /** Queues a notification for user `uid` through the outbox path; answers its id. */
  queueFor(uid: string, over?: Record<string, unknown>, nowMs?: number): Promise<string>;
  /** Registers `token` as a device of `uid` (moving it there if another user had it). */
  device(uid: string, token: string): Promise<void>;
  /** Expands the notifications now (claim, resolve devices, write deliveries); answers their ids. */
  expand(ids: string[]): Promise<string[]>;
  /** Claims and sends the pushes now with the product's delivery code (one attempt allowed). */
  deliver(ids: string[], maxAttempts?: number): Promise<void>;
  /** One drain run, as drainReservedPushes does it: expand what is due, send what is due. */
  drain(): Promise<DrainReport>;
  /**
   * An operator's cancel that loses a race: the operator reads `id` (a push or a notification),
   * a drain (run `drain-1`, a minute's lease) claims it, then the cancel comes. Answers the
   * cancel's outcome.
   */
  cancelAfterDrainClaimed(kind: DocumentKind, id: string): Promise<ChangeOutcome | undefined>;
  /** A push. */
  doc(id: string): Promise<FirebaseFirestore.DocumentSnapshot>;
  notification(id: string): Promise<FirebaseFirestore.DocumentSnapshot>;
  reset(): Promise<void>;
  close(): Promise<void>;
}

let eventCounter = 0;
const LEASE = { leaseMs: 60_000, leaseSafetyMs: 5_000 };

export async function startCliWorld(): Promise<CliWorld> {
  const fs = connectTestFirestore();
  const google = await startLocalGoogle();
  const { metadata, fcm } = google;
  const stores = createStores(fs.db);
  const { pushes, tokens } = stores;
  const sender: FcmSender = createFcmSender({
    projectId: LOCAL_PROJECT_ID,
    endpoint: fcm.url,
    tokenProvider: createAccessTokenProvider({ source: localMetadataTokenSource(metadata.host) }),
    timeoutMs: 2_000,
  });
  const localFlags = () => ['--fcm-endpoint', fcm.url, '--metadata-host', metadata.host];
  const deps = () => ({ ...stores, sender, now: Date.now, random: () => 0.5 });
  // Outbox paths unique to this world, so ids never repeat across test files.
  const prefix = `cli-${process.pid}-${Date.now()}`;

  async function viaOutbox(
    to: Record<string, unknown>,
    over: Record<string, unknown>,
    nowMs: number,
  ): Promise<{ pushIds: string[]; notificationIds: string[] }> {
    const n = eventCounter++;
    const out = await acceptPushRequest(
      stores,
      { to, title: `title ${n}`, content: `body ${n}`, ...over },
      { path: `pushRequests/${prefix}-${n}`, createTimeMs: nowMs, nowMs },
    );
    if (out.status !== 'accepted') throw new Error(`not queued: ${out.reason}`);
    return out.queued;
  }

  return {
    fs,
    fcm,
    metadata,
    stores,
    pushes,
    tokens,
    localFlags,
    cli: runCliHere,
    spawnCli,
    async queue(token, over = {}, nowMs = Date.now()) {
      return (await viaOutbox({ token }, over, nowMs)).pushIds[0]!;
    },
    async queueFor(uid, over = {}, nowMs = Date.now()) {
      return (await viaOutbox({ uid }, over, nowMs)).notificationIds[0]!;
    },
    async device(uid, token) {
      await tokens.save(uid, tokenIdOf(token), { token, platform: 'android' }, 10);
    },
    async expand(ids) {
      const report = await expandNow(deps(), ids, {
        maxAttempts: 3,
        leaseMs: LEASE.leaseMs,
        runId: 'test-expand',
      });
      return report.deliveryIds;
    },
    async deliver(ids, maxAttempts = 1) {
      await deliverNow(deps(), ids, {
        maxAttempts,
        backoffBaseMs: 30_000,
        ...LEASE,
        runId: 'test-run',
      });
    },
    drain() {
      return drainDuePushes(deps(), {
        batchSize: 50,
        timeBudgetMs: 30_000,
        ...LEASE,
        maxAttempts: 3,
        backoffBaseMs: 30_000,
        runId: 'drain',
      });
    },
    async cancelAfterDrainClaimed(kind, id) {
      const actions = createOperatorActions(fs.db, { operator: 'fcm-push:test' });
      const [seenByOperator] = await actions.lookUp([id]);
      const claim = { nowMs: Date.now(), leaseMs: 60_000, runId: 'drain-1' };
      const claimed =
        kind === 'push'
          ? (await pushes.claim(await pushes.getAll([id]), claim)).claimed
          : await stores.notifications.claim(await stores.notifications.getAll([id]), claim);
      assert.equal(claimed.length, 1);
      const [outcome] = await actions.cancel([seenByOperator!], Date.now());
      return outcome;
    },
    doc: (id) => fs.db.collection('pushes').doc(id).get(),
    notification: (id) => fs.db.collection('notifications').doc(id).get(),
    async reset() {
      await fs.reset();
      fcm.rules.clear();
      fcm.accepted.length = 0;
      fcm.validated.length = 0;
      fcm.unregistered.clear();
      fcm.resetCounters();
    },
    async close() {
      await sender.close();
      await google.close();
      await fs.close();
    },
  };
}

/**
 * The CLI world for the tests of one `describe`: started before them, reset before each, closed
 * after them (call it in the describe's body; the object is filled in when `before` runs).
 */
export function useCliWorld(): CliWorld {
  const world = {} as CliWorld;
  before(async () => {
    Object.assign(world, await startCliWorld());
  });
  beforeEach(() => world.reset());
  after(() => world.close());
  return world;
}

/** The outcome of a cancel that found the document changed since the operator read it. */
export function changedWhileCancelled(kind: DocumentKind, id: string, status: string) {
  return {
    id,
    kind,
    ok: false,
    reason: 'changed',
    status,
    message: `${kind} ${id} changed while being cancelled (now ${status}); left as it is.`,
  };
}

/** The one JSON document a `--json` run printed. */
export function jsonOf<T = Record<string, unknown>>(run: CliRun): T {
  return JSON.parse(run.stdout) as T;
}
