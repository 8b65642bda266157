/**
 * The operator console's statistics, as plain data: which per-minute document a count goes to,
 * and what a batch of outcomes adds to it. Aggregation queries cannot be listened to, so the
 * functions keep small counters per minute (`pushStatsMinutes/{YYYYMMDDHHmm}_{shard}`), and the
 * console listens to the last hour of them.
 *
 * A minute has STATS_SHARDS documents: each write picks one at random, so no single document is
 * written more than about once a second even with many workers (Firestore's sustained limit for
 * one document). Readers sum a minute's shards.
 */
import type { NotificationStatus } from './notification';
import type { PushStatus } from './push';
import { FINAL_STATUSES, STATS_COUNTERS, type StatsCounter } from './statuses';

export { STATS_COUNTERS, type StatsCounter };

/** Documents per minute. */
export const STATS_SHARDS = 8;

/** Minute documents are deleted (TTL on `deleteAt`) this long after their minute. */
export const STATS_RETENTION_MS = 2 * 24 * 60 * 60_000;

/** Outcomes whose result code is counted in `codes`. */
const COUNTED_CODES: ReadonlySet<StatsCounter> = new Set([
  'failed',
  'rejected',
  'expired',
  'cancelled',
  'undeliverable',
]);

/** What one write adds to a minute document: counters, and result codes of failed outcomes. */
export interface StatsIncrement {
  counts: Partial<Record<StatsCounter, number>>;
  codes: Record<string, number>;
}

export const emptyIncrement = (): StatsIncrement => ({ counts: {}, codes: {} });

export function isEmptyIncrement(inc: StatsIncrement): boolean {
  return Object.values(inc.counts).every((n) => !n) && Object.values(inc.codes).every((n) => !n);
}

/** Adds `n` to one counter (and to `code`, for failed/rejected/expired/cancelled/undeliverable). */
export function count(inc: StatsIncrement, counter: StatsCounter, n = 1, code?: string): void {
  if (n <= 0) return;
  inc.counts[counter] = (inc.counts[counter] ?? 0) + n;
  if (code !== undefined && code !== '' && COUNTED_CODES.has(counter)) {
    inc.codes[code] = (inc.codes[code] ?? 0) + n;
  }
}

/**
 * The counters that are outcomes: every way a push ends, and a notification's `undeliverable`.
 * pending (a retry scheduled, or waiting for quiet hours), sending, expanding and expanded are
 * not; an expanded notification's deliveries count on their own.
 */
const OUTCOME_COUNTERS: ReadonlySet<string> = new Set<StatsCounter>([
  ...FINAL_STATUSES,
  'undeliverable',
]);

/** The counter a final status of a push or notification counts in, if any. */
export function counterOf(
  status: PushStatus | NotificationStatus | string,
): StatsCounter | undefined {
  return OUTCOME_COUNTERS.has(status) ? (status as StatsCounter) : undefined;
}

/** What a batch of outcomes (final statuses with their result codes) adds. */
export function outcomesIncrement(
  outcomes: ReadonlyArray<{ status: string; code?: string | undefined }>,
): StatsIncrement {
  const inc = emptyIncrement();
  for (const o of outcomes) {
    const counter = counterOf(o.status);
    if (counter) count(inc, counter, 1, o.code);
  }
  return inc;
}

export function mergeIncrements(...incs: readonly StatsIncrement[]): StatsIncrement {
  const out = emptyIncrement();
  for (const inc of incs) {
    for (const [k, n] of Object.entries(inc.counts)) count(out, k as StatsCounter, n ?? 0);
    for (const [code, n] of Object.entries(inc.codes)) out.codes[code] = (out.codes[code] ?? 0) + n;
  }
  return out;
}

/** The start of the UTC minute of `ms`. */
export const minuteStartMs = (ms: number): number => Math.floor(ms / 60_000) * 60_000;

const two = (n: number) => String(n).padStart(2, '0');

/** `YYYYMMDDHHmm` of the UTC minute of `ms`. */
export function minuteKey(ms: number): string {
  const d = new Date(minuteStartMs(ms));
  return (
    String(d.getUTCFullYear()).padStart(4, '0') +
    two(d.getUTCMonth() + 1) +
    two(d.getUTCDate()) +
    two(d.getUTCHours()) +
    two(d.getUTCMinutes())
  );
}

/** A shard for one write, from a number in [0, 1). */
export function statsShardOf(random: number): number {
  const s = Math.floor(random * STATS_SHARDS);
  return Math.min(STATS_SHARDS - 1, Math.max(0, s));
}

/** The id of a minute document: `YYYYMMDDHHmm_shard`, e.g. `202611280512_3`. */
export const minuteDocId = (ms: number, shard: number): string => `${minuteKey(ms)}_${shard}`;

/** The current state the dispatcher writes to `pushStats/overview` (times in epoch ms). */
export interface Overview {
  notifications: Record<NotificationStatus, number>;
  pushes: Record<PushStatus, number>;
  /** Pending notifications and pushes that are due now. */
  dueBacklog: number;
  /** The oldest due time among them, or null when nothing is due. */
  oldestDueAtMs: number | null;
}

/** Combines the backlog of both collections: counts add up, the oldest due time is the minimum. */
export function combineBacklog(
  parts: ReadonlyArray<{ due: number; oldestDueAtMs: number | null }>,
): { dueBacklog: number; oldestDueAtMs: number | null } {
  let dueBacklog = 0;
  let oldest: number | null = null;
  for (const p of parts) {
    dueBacklog += p.due;
    if (p.oldestDueAtMs !== null && (oldest === null || p.oldestDueAtMs < oldest)) {
      oldest = p.oldestDueAtMs;
    }
  }
  return { dueBacklog, oldestDueAtMs: oldest };
}
