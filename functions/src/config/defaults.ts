/**
 * Every setting of the product as plain data: its param name, default, meaning, unit and the
 * range of values it accepts (and what a special value inside that range means).
 *
 * No firebase-functions import: params.ts builds the `firebase-functions/params` definitions from
 * this table, validate.ts checks values against it, `npm run gen:env` writes functions/.env from
 * it, and tests, benchmarks and tools read defaults here instead of repeating numbers.
 */

interface SpecBase {
  /** Shown by `firebase deploy` when it asks for a value, and written into functions/.env. */
  description: string;
}

export interface IntParamSpec extends SpecBase {
  type: 'int';
  default: number;
  /** What one unit is (`seconds`, `ms`, `days`, `calls per minute`, ...). */
  unit: string;
  /** Inclusive bounds; a missing value reads as 0 (firebase-functions), so 0 must be in range to be allowed. */
  min: number;
  max: number;
  /** Values inside the range with a meaning of their own. */
  special?: Readonly<Record<number, string>>;
}

export interface StringParamSpec extends SpecBase {
  type: 'string';
  default: string;
  unit?: undefined;
  /** A value must match this whole. */
  pattern: RegExp;
  /** The allowed values in words, for errors and the README. */
  allowed: string;
}

export interface BooleanParamSpec extends SpecBase {
  type: 'boolean';
  default: boolean;
  unit?: undefined;
}

export type ParamSpec = IntParamSpec | StringParamSpec | BooleanParamSpec;

export const PARAM_SPECS = {
  PUSH_REGION: {
    type: 'string',
    default: 'asia-northeast3',
    description: 'Region of every function (default Seoul). Keep it near your Firestore database.',
    pattern: /^[a-z]+-[a-z]+[0-9]+$/,
    allowed: 'a Cloud Functions region id such as asia-northeast3 or us-central1',
  },
  FCM_ENDPOINT: {
    type: 'string',
    default: 'https://fcm.googleapis.com',
    description:
      'Base URL of the FCM HTTP v1 API. Change only to point at a local FCM v1 server for testing.',
    pattern: /^https?:\/\/[^\s/?#]+(\/[^\s?#]*)?$/,
    allowed: 'an http(s) URL without query or fragment',
  },
  ENFORCE_APP_CHECK: {
    type: 'boolean',
    default: false,
    description: 'Reject registerToken/unregisterToken calls without a valid App Check token.',
  },
  MAX_DEVICES_PER_USER: {
    type: 'int',
    default: 10,
    unit: 'tokens',
    min: 1,
    max: 100,
    description:
      'Devices (tokens) kept per user; the least recently updated beyond this are removed.',
  },
  TOKEN_CALLS_PER_MINUTE: {
    type: 'int',
    default: 30,
    unit: 'calls per user per minute',
    min: 0,
    max: 10_000,
    special: { 0: 'refuse every call (resource-exhausted)' },
    description: 'Per-user limit on registerToken + unregisterToken calls per minute.',
  },
  STALE_TOKEN_DAYS: {
    type: 'int',
    default: 60,
    unit: 'days',
    min: 1,
    max: 3650,
    description: 'Tokens not refreshed for this many days are deleted by pruneStaleTokens.',
  },
  DRAIN_BATCH_SIZE: {
    type: 'int',
    default: 500,
    unit: 'pushes',
    min: 1,
    max: 500,
    description: 'Due pushes read and claimed per page by drainReservedPushes.',
  },
  DRAIN_CONCURRENCY: {
    type: 'int',
    default: 100,
    unit: 'requests',
    min: 1,
    max: 1000,
    description: 'Concurrent FCM requests during a drain (HTTP/2 streams on one connection).',
  },
  DRAIN_TIME_BUDGET_SECONDS: {
    type: 'int',
    default: 50,
    unit: 'seconds',
    min: 1,
    max: 540,
    description:
      'A drain run stops claiming new pages after this long; the rest waits for the next run.',
  },
  LEASE_SECONDS: {
    type: 'int',
    default: 120,
    unit: 'seconds',
    min: 1,
    max: 3600,
    description:
      'How long a claimed push is reserved for the run that claimed it (raised to a floor that covers one page).',
  },
  MAX_ATTEMPTS: {
    type: 'int',
    default: 8,
    unit: 'attempts',
    min: 1,
    max: 100,
    description: 'Send attempts per push before it ends as failed.',
  },
  BACKOFF_BASE_SECONDS: {
    type: 'int',
    default: 30,
    unit: 'seconds',
    min: 1,
    max: 3600,
    description: 'First retry delay; doubles per attempt (with jitter), capped at one hour.',
  },
  FCM_TIMEOUT_MS: {
    type: 'int',
    default: 10_000,
    unit: 'ms',
    min: 1000,
    max: 60_000,
    description:
      'Timeout of one FCM request, and of one access-token fetch (the lease safety margin is 4 x this + 5 s).',
  },
  RETENTION_DAYS: {
    type: 'int',
    default: 30,
    unit: 'days',
    min: 1,
    max: 3650,
    description:
      'Finished pushes, notifications and processed outbox documents are deleted by a Firestore TTL policy this many days after they finish.',
  },
  MAX_EVENT_AGE_SECONDS: {
    type: 'int',
    default: 3600,
    unit: 'seconds',
    min: 60,
    max: 86_400,
    description:
      'A check or outbox trigger event older than this is dropped with an error log instead of being retried further.',
  },
  QUIET_HOURS_SPREAD_MINUTES: {
    type: 'int',
    default: 10,
    unit: 'minutes',
    min: 0,
    max: 120,
    special: { 0: 'send deferred pushes exactly when quiet hours end' },
    description:
      "A push deferred by a user's quiet hours goes at a random time up to this long after the window ends, so a whole time zone's deferred pushes do not hit FCM at once.",
  },
  SHARD_WORKERS: {
    type: 'int',
    default: 10,
    unit: 'workers',
    min: 1,
    max: 1000,
    description:
      "Shard workers (drainShard tasks) running at once: the task queue's maxConcurrentDispatches. 10 workers x 100 concurrent requests / ~100 ms round trip reach FCM's default 10,000 messages/s.",
  },
  FCM_QUOTA_PER_MINUTE: {
    type: 'int',
    default: 600_000,
    unit: 'messages per minute',
    min: 60,
    max: 100_000_000,
    description:
      "The project's FCM send quota (FCM's default is 600,000 per minute). Each shard worker sends at most this / 60 / SHARD_WORKERS messages per second.",
  },
} as const satisfies Record<string, ParamSpec>;

export type ParamName = keyof typeof PARAM_SPECS;

type ValueOf<S> = S extends { type: 'int' }
  ? number
  : S extends { type: 'boolean' }
    ? boolean
    : string;

/** One value per param, typed by the param's kind. */
export type ParamValues = { [K in ParamName]: ValueOf<(typeof PARAM_SPECS)[K]> };

export const PARAM_NAMES = Object.keys(PARAM_SPECS) as ParamName[];

/** The default of every param. */
export const DEFAULTS = Object.fromEntries(
  PARAM_NAMES.map((name) => [name, PARAM_SPECS[name].default]),
) as ParamValues;

/**
 * The switch that exports the example checks (`checkOrderShipped`, `checkAppointmentReminder`).
 * Not a param: params cannot decide which functions a module exports, so it is an environment
 * value that firebase-tools loads from functions/.env* before it discovers the functions.
 */
export const EXAMPLE_CHECKS_SWITCH = {
  name: 'PUSH_EXAMPLE_CHECKS',
  default: false,
  description:
    'Export the example checks (checkOrderShipped, checkAppointmentReminder). Read when the module loads; true or false.',
} as const;

/** The allowed values of a param in words: `1..540`, `true or false`, or the string rule. */
export function describeRange(spec: ParamSpec): string {
  switch (spec.type) {
    case 'int':
      return `${spec.min}..${spec.max}`;
    case 'boolean':
      return 'true or false';
    case 'string':
      return spec.allowed;
  }
}

/** The allowed values with unit and special meanings: `0..10000 calls per user per minute; 0 = refuse every call`. */
export function describeAllowed(spec: ParamSpec): string {
  if (spec.type !== 'int') return describeRange(spec);
  const special = Object.entries(spec.special ?? {})
    .map(([value, meaning]) => `; ${value} = ${meaning}`)
    .join('');
  return `${describeRange(spec)} ${spec.unit}${special}`;
}

/** Every param's default as the text a dotenv file or the runtime environment holds. */
export function defaultParamEnv(): Record<ParamName, string> {
  return Object.fromEntries(PARAM_NAMES.map((name) => [name, String(DEFAULTS[name])])) as Record<
    ParamName,
    string
  >;
}
