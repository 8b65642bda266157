/**
 * The counts the console's overview (stats-store.ts) and the CLI's `stats` both take of a queue
 * collection: count() aggregations per status and of the due backlog, and one limit(1) read for
 * the document due the longest. No documents are read for a count, whatever the size.
 */
import {
  Timestamp,
  type CollectionReference,
  type Query,
  type QueryDocumentSnapshot,
} from 'firebase-admin/firestore';
import type { QuerySpec } from './queries';

export const countOf = async (q: Query) => (await q.count().get()).data().count;

/** How many of a collection's documents have each of `statuses` (one count() each). */
export async function countByStatus<S extends string>(
  col: CollectionReference,
  spec: QuerySpec,
  statuses: readonly S[],
): Promise<Record<S, number>> {
  const counts = await Promise.all(
    statuses.map((s) => countOf(col.where(spec.equality[0]!, '==', s))),
  );
  return Object.fromEntries(statuses.map((s, i) => [s, counts[i]!])) as Record<S, number>;
}

export type DueSpec = QuerySpec & { order: { field: string; direction: 'asc' | 'desc' } };

export interface DueBacklog {
  due: number;
  /** The document due the longest, and when it was due; absent / null when none is. */
  oldest?: QueryDocumentSnapshot;
  oldestDueAtMs: number | null;
}

/** How many of a collection's documents are due at `nowMs`, and the one due the longest. */
export async function dueBacklogOf(
  col: CollectionReference,
  spec: DueSpec,
  nowMs: number,
): Promise<DueBacklog> {
  const due = col
    .where(spec.equality[0]!, '==', false)
    .where(spec.order.field, '<=', Timestamp.fromMillis(nowMs));
  const [n, first] = await Promise.all([
    countOf(due),
    due.orderBy(spec.order.field, spec.order.direction).limit(1).get(),
  ]);
  const oldest = first.docs[0];
  const at = oldest?.get(spec.order.field);
  return {
    due: n,
    ...(oldest ? { oldest } : {}),
    oldestDueAtMs: at instanceof Timestamp ? at.toMillis() : null,
  };
}
