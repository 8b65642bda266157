/**
 * The due queries of the queue's two collections, by shard scope (core/shard.ts), shared by the
 * push and notification stores.
 *
 * - A set of shards: `flag == false && shard in [...] && nextAttemptAt <= now`, oldest first. A
 *   range `shard >= a && shard < b` cannot be used: the query must order by nextAttemptAt (oldest
 *   first, and the `<=` filter is on it), and Firestore then serves a second inequality only by
 *   scanning every shard's entries in nextAttemptAt order and discarding the others', or not at
 *   all (the emulator). `in` is a disjunction of equalities: each value is one contiguous stretch
 *   of the (flag, shard, nextAttemptAt) index, merged in nextAttemptAt order. `in` takes at most
 *   30 values, so a larger set runs one query per group and merges the pages here. One shard (the
 *   worker's case) is a plain `==`.
 * - Unsharded (the legacy query): the whole-queue query, keeping documents without `shard`.
 * - No scope: the whole-queue query, as the single drain always ran it.
 */
import {
  Timestamp,
  type CollectionReference,
  type DocumentSnapshot,
  type QueryDocumentSnapshot,
} from 'firebase-admin/firestore';
import { inGroups, isShard, type Shard, type ShardScope } from '../core/shard';
import type { QueueReads } from '../use-cases/ports';
import type { QuerySpec } from './queries';

type DueSpec = QuerySpec & { order: { field: string; direction: 'asc' | 'desc' } };

export interface DueQueries {
  /** The sharded due query (flag, shard, nextAttemptAt). */
  byShard: DueSpec;
  /** The whole-queue due query (flag, nextAttemptAt): the single drain's and the legacy one. */
  whole: DueSpec;
}

const ts = (ms: number) => Timestamp.fromMillis(ms);

function shardQuery(
  col: CollectionReference,
  q: DueSpec,
  shards: readonly Shard[],
  nowMs: number,
  limit: number,
) {
  const [flag, shardField] = q.equality;
  const byShard =
    shards.length === 1
      ? col.where(flag, '==', false).where(shardField, '==', shards[0])
      : col.where(flag, '==', false).where(shardField, 'in', [...shards]);
  return byShard
    .where(q.order.field, '<=', ts(nowMs))
    .orderBy(q.order.field, q.order.direction)
    .limit(limit);
}

function wholeQuery(col: CollectionReference, q: DueSpec, nowMs: number, limit: number) {
  return col
    .where(q.equality[0], '==', false)
    .where(q.order.field, '<=', ts(nowMs))
    .orderBy(q.order.field, q.order.direction)
    .limit(limit);
}

const dueAt = (d: QueryDocumentSnapshot, field: string) =>
  (d.get(field) as Timestamp | undefined)?.toMillis() ?? 0;

/** Due documents in `scope`, oldest first, at most `limit`. */
export async function findDueDocs(
  col: CollectionReference,
  queries: DueQueries,
  scope: ShardScope | undefined,
  nowMs: number,
  limit: number,
): Promise<QueryDocumentSnapshot[]> {
  if (!scope) return (await wholeQuery(col, queries.whole, nowMs, limit).get()).docs;
  if ('unsharded' in scope) {
    const snap = await wholeQuery(col, queries.whole, nowMs, limit).get();
    return snap.docs.filter((d) => !isShard(d.get('shard')));
  }
  const groups = inGroups(scope.shards);
  if (groups.length === 0) return [];
  const pages = await Promise.all(
    groups.map((g) => shardQuery(col, queries.byShard, g, nowMs, limit).get()),
  );
  if (pages.length === 1) return pages[0].docs;
  const field = queries.byShard.order.field;
  return pages
    .flatMap((p) => p.docs)
    .sort((a, b) => dueAt(a, field) - dueAt(b, field))
    .slice(0, limit);
}

/**
 * Which of `shards` have something due: one `limit(1)` query per group of 30 (an idle queue costs
 * one read per group), then one per shard of the groups that had something.
 */
export async function dueShardsOf(
  col: CollectionReference,
  queries: DueQueries,
  shards: readonly Shard[],
  nowMs: number,
): Promise<Shard[]> {
  const busy: Shard[] = [];
  await Promise.all(
    inGroups(shards).map(async (group) => {
      const any = await shardQuery(col, queries.byShard, group, nowMs, 1).get();
      if (any.empty) return;
      if (group.length === 1) {
        busy.push(group[0]);
        return;
      }
      const each = await Promise.all(
        group.map(async (s) =>
          (await shardQuery(col, queries.byShard, [s], nowMs, 1).get()).empty ? [] : [s],
        ),
      );
      busy.push(...each.flat());
    }),
  );
  return busy.sort((a, b) => a - b);
}

/**
 * Whether the oldest `probe` due documents include one without a shard (written before shards
 * existed). Only the shard field is fetched.
 */
export async function hasUnshardedDue(
  col: CollectionReference,
  queries: DueQueries,
  nowMs: number,
  probe: number,
): Promise<boolean> {
  const snap = await wholeQuery(col, queries.whole, nowMs, probe).select('shard').get();
  return snap.docs.some((d) => !isShard(d.get('shard')));
}

/** The reads both queue stores share: due documents by scope, busy shards, and by id. */
export function queueReads<R>(
  col: CollectionReference,
  queries: DueQueries,
  recordOf: (snap: DocumentSnapshot) => R,
): QueueReads<R> {
  return {
    async findDue(nowMs: number, limit: number, scope?: ShardScope): Promise<R[]> {
      return (await findDueDocs(col, queries, scope, nowMs, limit)).map(recordOf);
    },
    dueShards: (nowMs: number, shards: readonly Shard[]) =>
      dueShardsOf(col, queries, shards, nowMs),
    hasUnshardedDue: (nowMs: number, probe: number) => hasUnshardedDue(col, queries, nowMs, probe),
    async getAll(ids: readonly string[]): Promise<R[]> {
      if (ids.length === 0) return [];
      const snaps = await col.firestore.getAll(...ids.map((id) => col.doc(id)));
      return snaps.filter((s) => s.exists).map(recordOf);
    },
  };
}
