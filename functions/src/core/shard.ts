/**
 * The queue's virtual shards. Every notification and delivery gets `shard`, a number in
 * [0, SHARD_COUNT), when it is written: the first 32 bits of the SHA-256 of a document id, modulo
 * SHARD_COUNT. A user's delivery takes its notification's shard (the id of the notification, not
 * its own), so the worker that expands a notification also sends its deliveries, in the same run.
 *
 * The count is fixed: workers cover shards (one task per busy shard), never a number derived from
 * how many workers run, so changing the worker count (SHARD_WORKERS) never strands a push.
 * Changing SHARD_COUNT itself would move documents between shards; it is a constant, not a param.
 */
import { createHash } from 'node:crypto';

export const SHARD_COUNT = 64;

/** Firestore's limit on the values of one `in` filter. */
export const MAX_IN_VALUES = 30;

export type Shard = number;

/** The shard of a document id: uniform over [0, SHARD_COUNT) for any ids. */
export function shardOf(id: string): Shard {
  return createHash('sha256').update(id, 'utf8').digest().readUInt32BE(0) % SHARD_COUNT;
}

/** The shard of a delivery: its notification's for a user's delivery, else its own id's. */
export function deliveryShardOf(id: string, notificationId?: string): Shard {
  return shardOf(notificationId ?? id);
}

/** Every shard, in order. */
export const ALL_SHARDS: readonly Shard[] = Array.from({ length: SHARD_COUNT }, (_, i) => i);

/** Shards [from, to) — a worker's range. */
export function shardRange(from: number, to: number): Shard[] {
  const out: Shard[] = [];
  for (let s = Math.max(0, from); s < Math.min(to, SHARD_COUNT); s++) out.push(s);
  return out;
}

export function isShard(value: unknown): value is Shard {
  return typeof value === 'number' && Number.isInteger(value) && value >= 0 && value < SHARD_COUNT;
}

/** `shards` cut into groups small enough for one `in` filter each. */
export function inGroups(shards: readonly Shard[]): Shard[][] {
  const groups: Shard[][] = [];
  for (let i = 0; i < shards.length; i += MAX_IN_VALUES)
    groups.push(shards.slice(i, i + MAX_IN_VALUES));
  return groups;
}

/**
 * Which shards a drain reads: a set of shards, or `unsharded` (documents written before shards
 * existed, found by the legacy query). Absent: the whole queue, as one query (the single drain).
 */
export type ShardScope = { shards: readonly Shard[] } | { unsharded: true };

/** Short text for logs and run ids. */
export function scopeLabel(scope: ShardScope | undefined): string {
  if (!scope) return 'all';
  if ('unsharded' in scope) return 'unsharded';
  return scope.shards.length === 1 ? `shard-${scope.shards[0]}` : `shards-${scope.shards.length}`;
}

/**
 * A task name from its parts (`shard-7`, the tick's minute; or a parent task and `next`): hashed,
 * since Cloud Tasks dispatches sequentially named tasks more slowly, and the same parts always
 * give the same name, so a retried tick or worker enqueues nothing twice.
 */
export function taskIdOf(...parts: ReadonlyArray<string | number>): string {
  return `t-${createHash('sha256').update(parts.join('\n'), 'utf8').digest('hex').slice(0, 40)}`;
}
