/**
 * The plain settings use cases receive, checked against the documented ranges of defaults.ts and
 * derived from the param values. Pure (no firebase-functions): params.ts reads the values, this
 * module decides whether they are valid and what they mean.
 */
import {
  PARAM_NAMES,
  PARAM_SPECS,
  describeRange,
  type ParamName,
  type ParamSpec,
  type ParamValues,
} from './defaults';

/** Plain settings, read once per invocation, passed to use cases. */
export interface Settings {
  region: string;
  fcmEndpoint: string;
  enforceAppCheck: boolean;
  maxDevicesPerUser: number;
  tokenCallsPerMinute: number;
  staleTokenDays: number;
  drainBatchSize: number;
  drainConcurrency: number;
  drainTimeBudgetMs: number;
  /** LEASE_SECONDS, raised to minimumLeaseMs when shorter. */
  leaseMs: number;
  /** No FCM request starts within this margin of the lease end: leaseSafetyMsFor(fcmTimeoutMs). */
  leaseSafetyMs: number;
  maxAttempts: number;
  backoffBaseMs: number;
  fcmTimeoutMs: number;
  /** Finished pushes, notifications and processed outbox documents live this long (TTL). */
  retentionMs: number;
  /** A check or outbox trigger event older than this is dropped with an error log. */
  maxEventAgeMs: number;
  /** A push deferred by quiet hours goes up to this long after the window's end (random). */
  quietHoursSpreadMs: number;
  /** Shard workers at once (the worker queue's maxConcurrentDispatches). */
  shardWorkers: number;
  /** One worker's share of FCM's quota: FCM_QUOTA_PER_MINUTE / 60 / SHARD_WORKERS per second. */
  workerMaxSendsPerSecond: number;
  /**
   * A shard worker's lease on its pushes: as leaseMs, but covering two pages, since a worker
   * claims the next page while the current one is sent (pipelining), so a page may wait for the
   * one before it to be sent before its own sends start.
   */
  workerLeaseMs: number;
}

/**
 * The worst case of one message once its request has started: the access-token fetch and the
 * request, each bounded by the timeout, twice (a 401 refreshes the token and replays once), so
 * 4 x timeout; plus 5 s for writing the result. No request starts this close to the lease end,
 * so a request in flight always ends (and its result is written) inside the lease.
 */
export function leaseSafetyMsFor(timeoutMs: number): number {
  return 4 * timeoutMs + 5_000;
}

/**
 * The lease must outlast the slowest page a run can send: ceil(batch / concurrency) waves of
 * requests, each bounded by the timeout, plus the safety margin within which no request starts.
 * A shorter LEASE_SECONDS would let a second run claim a push still being sent, so it is raised
 * to this floor (and docs/configuration.md says so).
 */
export function minimumLeaseMs(batchSize: number, concurrency: number, timeoutMs: number): number {
  return Math.ceil(batchSize / Math.max(concurrency, 1)) * timeoutMs + leaseSafetyMsFor(timeoutMs);
}

/**
 * The lease floor of a pipelined worker: a page is claimed while the one before it is sent, so it
 * may wait up to one page's sending before its own: two pages of waves, plus the safety margin.
 */
export function pipelinedLeaseMs(
  batchSize: number,
  concurrency: number,
  timeoutMs: number,
): number {
  return minimumLeaseMs(2 * batchSize, concurrency, timeoutMs);
}

/** Settings outside their documented range; the message names every offending param. */
export class SettingsError extends Error {
  constructor(readonly problems: string[]) {
    super(
      `Invalid settings (fix them in functions/.env.<project-id> and deploy again):\n  ${problems.join('\n  ')}`,
    );
    this.name = 'SettingsError';
  }
}

function problemOf(name: ParamName, spec: ParamSpec, value: unknown): string | undefined {
  const shown = typeof value === 'string' ? JSON.stringify(value) : String(value);
  switch (spec.type) {
    case 'int': {
      if (typeof value !== 'number' || !Number.isInteger(value))
        return `${name}=${shown} is not a whole number: ${describeRange(spec)} ${spec.unit}`;
      if (value < spec.min || value > spec.max) {
        const unset = value === 0 ? ' (a missing value reads as 0)' : '';
        return `${name}=${value} is out of range: ${describeRange(spec)} ${spec.unit}${unset}`;
      }
      return undefined;
    }
    case 'boolean':
      return typeof value === 'boolean' || value === 'true' || value === 'false'
        ? undefined
        : `${name}=${shown} is not allowed: ${describeRange(spec)}`;
    case 'string':
      return typeof value === 'string' && spec.pattern.test(value)
        ? undefined
        : `${name}=${shown} is not allowed: ${describeRange(spec)}`;
  }
}

/**
 * Checks every param against its documented range and answers the typed values, or throws a
 * SettingsError naming each param out of range, its value and the allowed range, e.g.
 * `DRAIN_TIME_BUDGET_SECONDS=0 is out of range: 1..540 seconds (a missing value reads as 0)`.
 * A boolean may come as its text (`true`/`false`) so that a typo such as `yes` is caught rather
 * than read as false.
 */
export function validateSettings(raw: Readonly<Record<string, unknown>>): ParamValues {
  const problems: string[] = [];
  const out: Record<string, unknown> = {};
  for (const name of PARAM_NAMES) {
    const spec: ParamSpec = PARAM_SPECS[name];
    const value = raw[name];
    const problem = problemOf(name, spec, value);
    if (problem) problems.push(problem);
    else out[name] = spec.type === 'boolean' ? value === true || value === 'true' : value;
  }
  if (problems.length > 0) throw new SettingsError(problems);
  return out as ParamValues;
}

/**
 * The drain function's timeout (drainReservedPushes' `timeoutSeconds`). A run claims pages until
 * its budget ends, and the last page may take until its lease ends, so budget + lease must fit,
 * or the platform would kill a run between FCM's answers and their results (a re-send window).
 */
export const DRAIN_TIMEOUT_SECONDS = 1800; // The most a 2nd-gen scheduled (HTTP) function allows.

/** Validated param values → the settings use cases receive. */
export function settingsFrom(raw: Readonly<Record<string, unknown>>): Settings {
  const v = validateSettings(raw);
  const timeoutMs = v.FCM_TIMEOUT_MS;
  const floorMs = minimumLeaseMs(v.DRAIN_BATCH_SIZE, v.DRAIN_CONCURRENCY, timeoutMs);
  const leaseMs = Math.max(v.LEASE_SECONDS * 1000, floorMs);
  const workerLeaseMs = Math.max(
    leaseMs,
    pipelinedLeaseMs(v.DRAIN_BATCH_SIZE, v.DRAIN_CONCURRENCY, timeoutMs),
  );
  const runMs = v.DRAIN_TIME_BUDGET_SECONDS * 1000 + workerLeaseMs;
  if (runMs > DRAIN_TIMEOUT_SECONDS * 1000) {
    throw new SettingsError([
      `DRAIN_TIME_BUDGET_SECONDS=${v.DRAIN_TIME_BUDGET_SECONDS} plus the lease (${workerLeaseMs / 1000} s: ` +
        `LEASE_SECONDS raised to ceil(2 x DRAIN_BATCH_SIZE / DRAIN_CONCURRENCY) x FCM_TIMEOUT_MS + ` +
        `4 x FCM_TIMEOUT_MS + 5 s, a pipelined worker's page waiting for the one before) must fit in the drain's ${DRAIN_TIMEOUT_SECONDS} s timeout: ` +
        `lower the budget, the batch size or the FCM timeout, or raise the concurrency`,
    ]);
  }
  return {
    region: v.PUSH_REGION,
    fcmEndpoint: v.FCM_ENDPOINT.replace(/\/+$/, ''),
    enforceAppCheck: v.ENFORCE_APP_CHECK,
    maxDevicesPerUser: v.MAX_DEVICES_PER_USER,
    tokenCallsPerMinute: v.TOKEN_CALLS_PER_MINUTE,
    staleTokenDays: v.STALE_TOKEN_DAYS,
    drainBatchSize: v.DRAIN_BATCH_SIZE,
    drainConcurrency: v.DRAIN_CONCURRENCY,
    drainTimeBudgetMs: v.DRAIN_TIME_BUDGET_SECONDS * 1000,
    leaseMs,
    leaseSafetyMs: leaseSafetyMsFor(timeoutMs),
    maxAttempts: v.MAX_ATTEMPTS,
    backoffBaseMs: v.BACKOFF_BASE_SECONDS * 1000,
    fcmTimeoutMs: timeoutMs,
    retentionMs: v.RETENTION_DAYS * 86_400_000,
    maxEventAgeMs: v.MAX_EVENT_AGE_SECONDS * 1000,
    quietHoursSpreadMs: v.QUIET_HOURS_SPREAD_MINUTES * 60_000,
    shardWorkers: v.SHARD_WORKERS,
    workerMaxSendsPerSecond: v.FCM_QUOTA_PER_MINUTE / 60 / v.SHARD_WORKERS,
    workerLeaseMs,
  };
}
