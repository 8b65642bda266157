/**
 * Which declared query (functions/src/adapters/queries.ts) a Pushes-page filter runs. The page
 * builds its Firestore queries only from these specs, so the index test, which derives
 * firestore.indexes.json from the same specs, covers every query the page runs.
 */
import { QUERIES, type QuerySpec } from '../../../functions/src/adapters/queries';
import type { Collection } from './statuses';

export interface ListFilter {
  collection: Collection;
  status?: string;
  uid?: string;
}

export const PAGE_SIZE = 25;

type QueryName = keyof typeof QUERIES;

const BY_FILTER: Record<Collection, Record<'none' | 'status' | 'uid' | 'both', QueryName>> = {
  pushes: {
    none: 'recentPushes',
    status: 'pushesByStatus',
    uid: 'pushesByUser',
    both: 'pushesByUserAndStatus',
  },
  notifications: {
    none: 'recentNotifications',
    status: 'notificationsByStatus',
    uid: 'notificationsByUser',
    both: 'notificationsByUserAndStatus',
  },
};

/** Every query the Pushes and Users pages may run (for the unit test). */
export const LIST_QUERY_NAMES: QueryName[] = Object.values(BY_FILTER).flatMap((m) =>
  Object.values(m),
);

export interface PlannedList {
  name: QueryName;
  spec: QuerySpec;
  /** Values for spec.equality, in its order. */
  values: string[];
}

/** The declared query for a filter, and the values of its equality fields. */
export function planList(filter: ListFilter): PlannedList {
  const status = filter.status || undefined;
  const uid = filter.uid?.trim() || undefined;
  const kind = status && uid ? 'both' : status ? 'status' : uid ? 'uid' : 'none';
  const name = BY_FILTER[filter.collection][kind];
  const spec: QuerySpec = QUERIES[name];
  const given: Record<string, string | undefined> = { status, uid };
  const values = spec.equality.map((field) => {
    const v = given[field];
    if (v === undefined) throw new Error(`query ${name} needs ${field}`);
    return v;
  });
  return { name, spec, values };
}

/** The minute-statistics listener's declared query. */
export const STATS_MINUTES: QuerySpec = QUERIES.statsMinutesSince;
