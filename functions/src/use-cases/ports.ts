/**
 * What the use cases need from storage, in plain data. The Firestore adapters implement these
 * (adapters/*-store.ts); use cases never see a snapshot or a Timestamp. A stored document comes
 * with an opaque `version` (its last update time), which conditional writes check: of two runs
 * that read the same version, only one write succeeds.
 */
import type {
  PlannedNotification,
  QueuedNotification,
  NotificationStatus,
} from '../core/notification';
import type { PlannedEntry, PlannedPush, QueuedPush } from '../core/push';
import type { KeyEvent } from '../core/push-key';
import type { PushUpdate } from '../core/send-decision';
import type { RateDecision, RatePolicy } from '../core/rate-limit';
import type { RegisterTokenInput } from '../core/token-registration';
import type { PreferenceChange, PushPreferences } from '../core/preferences';
import type { Parsed } from '../core/parse';
import type { Shard, ShardScope } from '../core/shard';
import type { Overview, StatsIncrement } from '../core/stats';
import type { DocumentKind } from './operator-contract';

// ---- pushes: deliveries --------------------------------------------------------------------

/** A queued push as read, with what a claim checks. */
export interface PushRecord {
  id: string;
  /** Opaque: the document's last update time. */
  version: string;
  status: string;
  isSent: boolean;
  nextAttemptAtMs?: number;
  /** Absent on a push written before shards existed (the claim then writes it). */
  shard?: Shard;
  push: QueuedPush;
}

/** A push this run owns until `leaseUntilMs`. */
export interface ClaimedPush {
  push: QueuedPush;
  leaseUntilMs: number;
  /** Opaque version of our claim: the precondition of the result write. */
  claimVersion: string;
}

/** A user's delivery whose token had left the user when it was claimed: ended, never sent. */
export interface NotOwnedPush {
  id: string;
  uid: string;
}

export interface ClaimResult {
  claimed: ClaimedPush[];
  /** Deliveries ended as cancelled (DEVICE_NOT_OWNED) by this claim. */
  notOwned: NotOwnedPush[];
}

/** What a drain reads of a queue collection (pushes, notifications), as records `R`. */
export interface QueueReads<R> {
  /** Due documents, oldest first: of `scope`'s shards, the unsharded ones, or (absent) all. */
  findDue(nowMs: number, limit: number, scope?: ShardScope): Promise<R[]>;
  /** Which of `shards` have a due document (cheap limit(1) probes). */
  dueShards(nowMs: number, shards: readonly Shard[]): Promise<Shard[]>;
  /** Whether the `probe` oldest due documents include one without a shard. */
  hasUnshardedDue(nowMs: number, probe: number): Promise<boolean>;
  /** The documents that exist among `ids`. */
  getAll(ids: readonly string[]): Promise<R[]>;
}

/** What a run over a page of the queue (expanding or delivering) reads and is given. */
export interface QueueRunDeps {
  pushes: PushStore;
  tokens: TokenStore;
  preferences: PreferenceStore;
  now: () => number;
  /** In [0, 1): jitter, and where in the quiet-hours spread a deferred delivery lands. */
  random: () => number;
}

/** A queue collection whose documents a run claims (a lease), answering `C`. */
export interface ClaimingStore<R, C> extends QueueReads<R> {
  claim(
    records: readonly R[],
    options: { nowMs: number; leaseMs: number; runId: string },
  ): Promise<C>;
}

export interface PushStore extends ClaimingStore<PushRecord, ClaimResult> {
  createAll(pushes: readonly PlannedPush[], nowMs: number): Promise<{ created: number }>;
  /** Writes results; answers the ids whose write lost its precondition (lease taken over). */
  writeResults(
    results: ReadonlyArray<{ claimed: ClaimedPush; update: PushUpdate; nowMs: number }>,
  ): Promise<{ written: number; lostLease: string[] }>;
}

// ---- notifications: one per request for a user -------------------------------------------

export interface NotificationRecord {
  id: string;
  version: string;
  status: string;
  isExpanded: boolean;
  nextAttemptAtMs?: number;
  /** Absent on a notification written before shards existed (the claim then writes it). */
  shard?: Shard;
  notification: QueuedNotification & { expiresAtMs?: number };
}

export interface ClaimedNotification {
  notification: QueuedNotification & { expiresAtMs?: number };
  leaseUntilMs: number;
  claimVersion: string;
}

/** How a claimed notification ends. */
export interface NotificationEnd {
  status: Exclude<NotificationStatus, 'pending' | 'expanding'>;
  result: {
    code?: string;
    message?: string;
    deliveries?: number;
    /** Of the deliveries, those due when the user's quiet hours end. */
    deferred?: number;
    /** Of the deliveries, those quiet hours kept past their expiry (created expired). */
    quietHoursExpired?: number;
  };
  deliveryIds?: string[];
}

export interface NotificationStore extends ClaimingStore<
  NotificationRecord,
  ClaimedNotification[]
> {
  createAll(planned: readonly PlannedNotification[], nowMs: number): Promise<{ created: number }>;
  /** Ends each claimed notification; answers the ids whose lease was taken over meanwhile. */
  finish(
    ends: ReadonlyArray<{ claimed: ClaimedNotification; end: NotificationEnd }>,
    nowMs: number,
  ): Promise<{ lostLease: string[] }>;
}

// ---- pushKeys: replacement by key ---------------------------------------------------------

export type KeyedOutcome =
  /** This event decided the key: its push was written, and the previous one cancelled if pending. */
  | { kind: 'queued'; created: boolean; cancelledIds: string[] }
  /** The event already decided the key (a redelivery): nothing written, nothing cancelled. */
  | { kind: 'replay' }
  /** A newer event already decided the key: this one writes and cancels nothing. */
  | { kind: 'superseded'; byEventId: string };

export interface KeyStore {
  /** Queues a keyed push or notification if its event is the newest for (scope, key). */
  queue(
    entry: PlannedEntry,
    scope: string,
    key: string,
    event: KeyEvent,
    nowMs: number,
  ): Promise<KeyedOutcome>;
  /** Cancels what (scope, key) holds, if this event is the newest for it (a tombstone). */
  cancel(scope: string, key: string, event: KeyEvent, nowMs: number): Promise<KeyedOutcome>;
}

// ---- pushTokens -----------------------------------------------------------------------------

export interface SavedToken {
  tokenId: string;
  /** Ids of this user's older devices removed by the device cap. */
  removedTokenIds: string[];
  /** True when the token belonged to another user before this save. */
  movedFromAnotherUser: boolean;
}

export interface StoredToken {
  tokenId: string;
  uid: string;
  token: string;
  platform: string;
  updatedAtMs: number;
  /** As registered (normalised BCP 47 tag, IANA zone); absent when the app sent none. */
  locale?: string;
  timezone?: string;
  appVersion?: string;
  createdAtMs?: number;
}

export interface TokenStore {
  save(
    uid: string,
    tokenId: string,
    input: RegisterTokenInput,
    maxDevices: number,
  ): Promise<SavedToken>;
  /** Deletes the token only when it belongs to `uid`; says whether it did. */
  deleteIfOwnedBy(uid: string, tokenId: string): Promise<boolean>;
  /** Deletes the token whoever owns it (FCM said it is dead). */
  delete(tokenId: string): Promise<void>;
  listByUser(uid: string): Promise<StoredToken[]>;
  /** The devices of each of `uids` (an entry per uid, empty when it has none), in few queries. */
  listByUsers(uids: readonly string[]): Promise<Map<string, StoredToken[]>>;
  /** The tokens that exist among `tokenIds`, by token id (one batched read). */
  getMany(tokenIds: readonly string[]): Promise<Map<string, StoredToken>>;
  /**
   * Deletes up to `limit` tokens last updated before `beforeMs`, each only if unchanged since it
   * was read (a token refreshed meanwhile survives); answers how many it really deleted.
   */
  deleteStale(beforeMs: number, limit: number): Promise<number>;
}

// ---- pushPreferences ---------------------------------------------------------------------------

export interface PreferenceStore {
  /** The user's stored preferences, or undefined when they never set any. */
  get(uid: string): Promise<PushPreferences | undefined>;
  /** Stored preferences of each of `uids` that has some (one batched read). */
  getMany(uids: readonly string[]): Promise<Map<string, PushPreferences>>;
  /**
   * Merges `change` into the stored preferences in a transaction (core's mergePreferences) and
   * answers what is stored now, or the merge's refusal, in which case nothing is written.
   */
  update(uid: string, change: PreferenceChange): Promise<Parsed<PushPreferences>>;
}

// ---- rateLimits -----------------------------------------------------------------------------

export interface RateLimitStore {
  /** Counts one call by `uid` at `nowMs` if the policy allows it; answers the decision. */
  take(uid: string, nowMs: number, policy: RatePolicy): Promise<RateDecision>;
}

// ---- pushRequests: the outbox ------------------------------------------------------------------

export interface SkippedRequest {
  index: number;
  reason: string;
}

export interface QueueResult {
  /** Pushes (token, topic, condition requests) this event queued, new or already written. */
  pushIds: string[];
  /** Notifications (user requests) this event queued, new or already written. */
  notificationIds: string[];
  /** Of the above, those due now (deliver without waiting for the drain). */
  dueNow: { pushIds: string[]; notificationIds: string[] };
  skipped: SkippedRequest[];
  /** Pushes and notifications cancelled because a newer request or cancel took their key. */
  cancelledIds: string[];
  /** Documents this call created (0 for a replayed event). */
  created: number;
}

export type OutboxOutcome =
  | { status: 'accepted'; queued: QueueResult; reason?: string }
  | { status: 'rejected'; reason: string; field?: string };

export interface UnprocessedRequest {
  path: string;
  createTimeMs: number;
  data: Record<string, unknown>;
}

export interface OutboxStore {
  /** Records the outcome on the request document; it is deleted by TTL after retention. */
  markProcessed(path: string, outcome: OutboxOutcome, nowMs: number): Promise<void>;
  /**
   * Documents without a `status`, scanning at most `scanLimit` documents in name order from
   * `startAfter` (a bounded scan: the outbox has no field a query could select them by).
   */
  scanUnprocessed(options: {
    scanLimit: number;
    startAfter?: string;
  }): Promise<{ unprocessed: UnprocessedRequest[]; scanned: number; last?: string }>;
}

// ---- pushQueue: the shard workers' coordination ---------------------------------------------

/** What a shard worker drains: one shard, or the documents written before shards existed. */
export type ShardKey = Shard | 'unsharded';

export interface ShardState {
  /** A worker holds the shard until then. */
  leaseUntilMs?: number;
  /** A task for the shard was enqueued then and has not started yet. */
  queuedAtMs?: number;
}

export interface ShardLeaseStore {
  /**
   * Takes the shard for `owner` until `untilMs` if nobody holds it (or its lease ended): answers
   * whether it did. Clears the shard's queued mark either way (its task has started).
   */
  acquire(key: ShardKey, owner: string, nowMs: number, untilMs: number): Promise<boolean>;
  /** Extends the lease while `owner` still holds it; false when it was taken over. */
  renew(key: ShardKey, owner: string, nowMs: number, untilMs: number): Promise<boolean>;
  /**
   * Gives the shard up if `owner` holds it; `queuedAtMs` marks the continuation it enqueued (and
   * without one, the queued mark is cleared).
   */
  release(key: ShardKey, owner: string, queuedAtMs?: number): Promise<void>;
  /** The state of each of `keys` (one batched read). */
  states(keys: readonly ShardKey[]): Promise<Map<ShardKey, ShardState>>;
  /** Marks tasks enqueued for `keys` at `nowMs` (the dispatcher skips them for a while). */
  markQueued(keys: readonly ShardKey[], nowMs: number): Promise<void>;
}

/** The fleet's FCM quota backoff: one record every worker reads before each page. */
export interface QuotaStore {
  /** Until when FCM asked the project to slow down, if that is still ahead of `nowMs`. */
  blockedUntil(nowMs: number): Promise<number | undefined>;
  /** Records a QUOTA_EXCEEDED answer: nobody sends before `untilMs` (never shortened). */
  block(untilMs: number, byRunId: string): Promise<void>;
}

/** A task for the shard worker function. */
export interface ShardTask {
  shard: ShardKey;
}

export interface ShardTaskQueue {
  /**
   * Enqueues a task named `id`; answers 'duplicate' when a task of that name exists already (a
   * retried tick, a retried worker), so nothing is enqueued twice.
   */
  enqueue(
    task: ShardTask,
    options: { id: string; delaySeconds?: number },
  ): Promise<'enqueued' | 'duplicate'>;
}

// ---- operators' actions on notifications and pushes (adapters/operator-actions.ts) -----------

export type { DocumentKind };

/** What an operator's retry or cancel did to one document. */
export type ChangeOutcome =
  | { id: string; kind: DocumentKind; ok: true; from: string; notes: string[] }
  | {
      id: string;
      kind?: DocumentKind;
      ok: false;
      /** `refused`: its status does not allow it; `changed`: it changed while being acted on. */
      reason: 'not-found' | 'refused' | 'changed';
      status?: string;
      message: string;
    };

/** One operator's retry and cancel by id (the CLI's, with the operator's uid as `by`). */
export interface OperatorActionStore {
  retry(id: string, nowMs: number): Promise<ChangeOutcome>;
  cancel(id: string, nowMs: number): Promise<ChangeOutcome>;
}

// ---- pushStatsMinutes, pushStats: the operator console's statistics --------------------------

export interface StatsStore {
  /**
   * Adds `increment` to the counters of the minute of `nowMs`: one write, to one of the minute's
   * shard documents. May reject; callers record statistics through use-cases/stats.ts, which
   * never lets a failure reach the work that was counted.
   */
  add(increment: StatsIncrement, nowMs: number): Promise<void>;
}

/** What the dispatcher counts for `pushStats/overview`: count() aggregations and two limit(1) reads. */
export interface OverviewStore {
  count(nowMs: number): Promise<Overview>;
  write(overview: Overview, nowMs: number): Promise<void>;
}
