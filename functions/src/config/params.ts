/**
 * Every deploy-time and run-time setting of the product, in one place.
 *
 * Values come from `firebase-functions/params`: `firebase deploy` asks for (or reads from
 * `functions/.env.<project>`) any value without a default, and the emulators read `.env.local`.
 * No other module reads `process.env` (ESLint enforces it); code receives plain numbers and
 * strings through `readSettings()` so the core stays free of firebase-functions.
 */
import { defineBoolean, defineInt, defineString } from 'firebase-functions/params';

export const REGION = defineString('PUSH_REGION', {
  default: 'asia-northeast3',
  description: 'Region of every function (default Seoul). Keep it near your Firestore database.',
});

export const FCM_ENDPOINT = defineString('FCM_ENDPOINT', {
  default: 'https://fcm.googleapis.com',
  description:
    'Base URL of the FCM HTTP v1 API. Change only to point at a local FCM v1 server for testing.',
});

export const ENFORCE_APP_CHECK = defineBoolean('ENFORCE_APP_CHECK', {
  default: false,
  description: 'Reject registerToken/unregisterToken calls without a valid App Check token.',
});

export const MAX_DEVICES_PER_USER = defineInt('MAX_DEVICES_PER_USER', {
  default: 10,
  description:
    'Devices (tokens) kept per user; the least recently updated beyond this are removed.',
});

export const TOKEN_CALLS_PER_MINUTE = defineInt('TOKEN_CALLS_PER_MINUTE', {
  default: 30,
  description: 'Per-user limit on registerToken + unregisterToken calls per minute.',
});

export const STALE_TOKEN_DAYS = defineInt('STALE_TOKEN_DAYS', {
  default: 60,
  description: 'Tokens not refreshed for this many days are deleted by pruneStaleTokens.',
});

export const DRAIN_BATCH_SIZE = defineInt('DRAIN_BATCH_SIZE', {
  default: 500,
  description: 'Due pushes read and claimed per page by drainReservedPushes.',
});

export const DRAIN_CONCURRENCY = defineInt('DRAIN_CONCURRENCY', {
  default: 100,
  description: 'Concurrent FCM requests during a drain (HTTP/2 streams on one connection).',
});

export const DRAIN_TIME_BUDGET_SECONDS = defineInt('DRAIN_TIME_BUDGET_SECONDS', {
  default: 50,
  description:
    'A drain run stops claiming new pages after this long; the rest waits for the next run.',
});

export const LEASE_SECONDS = defineInt('LEASE_SECONDS', {
  default: 120,
  description: 'How long a claimed push is reserved for the run that claimed it.',
});

export const MAX_ATTEMPTS = defineInt('MAX_ATTEMPTS', {
  default: 8,
  description: 'Send attempts per push before it ends as failed.',
});

export const BACKOFF_BASE_SECONDS = defineInt('BACKOFF_BASE_SECONDS', {
  default: 30,
  description: 'First retry delay; doubles per attempt (with jitter), capped at one hour.',
});

export const FCM_TIMEOUT_MS = defineInt('FCM_TIMEOUT_MS', {
  default: 10000,
  description: 'Per-request timeout of FCM sends.',
});

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
  leaseMs: number;
  maxAttempts: number;
  backoffBaseMs: number;
  fcmTimeoutMs: number;
}

/**
 * The lease must outlast the slowest page a run can send: ceil(batch / concurrency) waves of
 * requests, each bounded by the timeout, plus the safety margin deliverClaimed keeps before the
 * lease ends. A shorter LEASE_SECONDS would let a second run claim a push still being sent, so it
 * is raised to this floor (and the README says so).
 */
export function minimumLeaseMs(batchSize: number, concurrency: number, timeoutMs: number): number {
  return Math.ceil(batchSize / Math.max(concurrency, 1)) * timeoutMs + 15_000;
}

export function readSettings(): Settings {
  const batch = DRAIN_BATCH_SIZE.value();
  const concurrency = DRAIN_CONCURRENCY.value();
  const timeoutMs = FCM_TIMEOUT_MS.value();
  return {
    region: REGION.value(),
    fcmEndpoint: FCM_ENDPOINT.value().replace(/\/+$/, ''),
    enforceAppCheck: ENFORCE_APP_CHECK.value(),
    maxDevicesPerUser: MAX_DEVICES_PER_USER.value(),
    tokenCallsPerMinute: TOKEN_CALLS_PER_MINUTE.value(),
    staleTokenDays: STALE_TOKEN_DAYS.value(),
    drainBatchSize: batch,
    drainConcurrency: concurrency,
    drainTimeBudgetMs: DRAIN_TIME_BUDGET_SECONDS.value() * 1000,
    leaseMs: Math.max(LEASE_SECONDS.value() * 1000, minimumLeaseMs(batch, concurrency, timeoutMs)),
    maxAttempts: MAX_ATTEMPTS.value(),
    backoffBaseMs: BACKOFF_BASE_SECONDS.value() * 1000,
    fcmTimeoutMs: timeoutMs,
  };
}

/**
 * The Firebase project id of the running function (set by the runtime and the emulators).
 * Read here because it comes from the environment, like every other setting.
 */
export function projectId(): string {
  const id =
    process.env.GCLOUD_PROJECT ??
    process.env.GOOGLE_CLOUD_PROJECT ??
    (process.env.FIREBASE_CONFIG ? JSON.parse(process.env.FIREBASE_CONFIG).projectId : undefined);
  if (!id)
    throw new Error(
      'No project id: GCLOUD_PROJECT is not set (run in Cloud Functions or an emulator).',
    );
  return id;
}
