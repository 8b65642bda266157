/**
 * The index policy of firestore.indexes.json, as data, and its derivation from the declared
 * queries (queries.ts). `npm run gen:indexes` writes the file from `deriveIndexFile()`;
 * test/unit/indexes fails when the file differs. Nothing here is kept by hand but the exemption
 * lists below: composite indexes and the single-field indexes a query still needs follow from
 * QUERIES.
 *
 * - Composite indexes: one per declared query that needs one (an equality plus an order or range
 *   field, or several equality fields).
 * - Single-field exemptions: every field below is removed from automatic single-field indexing,
 *   unless a declared query served by a single-field index uses it; then only the index that
 *   query needs is kept. Payload fields are never filtered on, and an indexed field whose value
 *   steadily increases (a timestamp) caps the collection near 500 writes/s (hot-spotting), so
 *   those cost writes and buy nothing.
 * - TTL: `deleteAt` of the finished-document collections is a Firestore TTL field (documents are
 *   deleted some time after it passes; RETENTION_DAYS sets it), and itself exempt from indexing.
 *
 * Format: https://firebase.google.com/docs/reference/firestore/indexes (fieldOverrides with
 * `indexes: []` disable a field's single-field indexes; `ttl: true` enables a TTL policy).
 */
import { STATS_COUNTERS } from '../core/stats';
import { QUERIES, type QuerySpec } from './queries';

export type Order = 'ASCENDING' | 'DESCENDING';

export interface IndexField {
  fieldPath: string;
  order: Order;
}

export interface CompositeIndex {
  collectionGroup: string;
  queryScope: 'COLLECTION';
  fields: IndexField[];
}

export interface FieldOverrideIndex {
  order: Order;
  queryScope: 'COLLECTION';
}

export interface FieldOverride {
  collectionGroup: string;
  fieldPath: string;
  ttl?: true;
  indexes: FieldOverrideIndex[];
}

export interface IndexFile {
  indexes: CompositeIndex[];
  fieldOverrides: FieldOverride[];
}

/** Message content and other maps nobody filters on. */
const PAYLOAD_FIELDS = [
  'target',
  'title',
  'content',
  'image',
  'data',
  'android',
  'apns',
  'webpush',
  'result',
  'history',
  'source',
];

/** Timestamps that grow with time: indexed, each would cap writes near 500/s. */
const INCREASING_TIMESTAMPS = [
  'createdAt',
  'reservedAt',
  'expiresAt',
  'nextAttemptAt',
  'leaseUntil',
  'sentAt',
  'finishedAt',
  'processedAt',
];

/** The TTL field: a document is deleted by Firestore some time after this time has passed. */
export const TTL_FIELD = 'deleteAt';

/** Collections whose finished documents expire through TTL_FIELD (RETENTION_DAYS). */
export const TTL_COLLECTIONS = [
  'pushes',
  'notifications',
  'pushRequests',
  'pushKeys',
  // The console's per-minute statistics: two days after their minute (core/stats.ts).
  'pushStatsMinutes',
] as const;

/** Per collection, the fields exempt from single-field indexing (unless a query needs them). */
export const SINGLE_FIELD_EXEMPTIONS: Readonly<Record<string, readonly string[]>> = {
  pushes: [...PAYLOAD_FIELDS, ...INCREASING_TIMESTAMPS],
  notifications: [...PAYLOAD_FIELDS, 'deliveryIds', ...INCREASING_TIMESTAMPS],
  pushRequests: [...PAYLOAD_FIELDS, 'to', 'pushIds', 'skipped', ...INCREASING_TIMESTAMPS],
  pushKeys: [...PAYLOAD_FIELDS, ...INCREASING_TIMESTAMPS],
  // Counters and the codes map are only read whole; `minute` keeps its index (statsMinutesSince).
  pushStatsMinutes: [...STATS_COUNTERS, 'codes'],
};

/**
 * Firestore's limits page has listed 200 single-field index exemptions per database (its TTL page
 * now allows 500 to 1000 field configurations); staying under 200 fits every documented limit.
 */
export const MAX_FIELD_OVERRIDES = 200;

const orderOf = (direction: 'asc' | 'desc'): Order =>
  direction === 'asc' ? 'ASCENDING' : 'DESCENDING';

/** The composite index a query needs, or undefined when a single-field index serves it. */
export function requiredIndex(q: QuerySpec): CompositeIndex | undefined {
  const fields: IndexField[] = q.equality.map((f) => ({ fieldPath: f, order: 'ASCENDING' }));
  if (q.order && !q.equality.includes(q.order.field)) {
    fields.push({ fieldPath: q.order.field, order: orderOf(q.order.direction) });
  }
  if (fields.length < 2) return undefined;
  return { collectionGroup: q.collection, queryScope: 'COLLECTION', fields };
}

/**
 * Whether composite index `have` serves query `q`: same collection; for an equality-only query
 * the same fields in any order (any direction serves ==); otherwise the same equality fields in
 * any order followed by the query's order/range field in its direction.
 */
export function servesQuery(have: CompositeIndex, q: QuerySpec): boolean {
  const need = requiredIndex(q);
  if (!need) return false;
  if (have.collectionGroup !== need.collectionGroup || have.queryScope !== need.queryScope)
    return false;
  if (have.fields.length !== need.fields.length) return false;
  const paths = (fields: IndexField[]) => JSON.stringify(fields.map((f) => f.fieldPath).sort());
  const equalityOnly = !q.order || q.equality.includes(q.order.field);
  if (equalityOnly) return paths(have.fields) === paths(need.fields);
  const n = need.fields.length;
  const lastNeed = need.fields[n - 1]!;
  const lastHave = have.fields[n - 1]!;
  return (
    paths(have.fields.slice(0, n - 1)) === paths(need.fields.slice(0, n - 1)) &&
    lastNeed.fieldPath === lastHave.fieldPath &&
    lastNeed.order === lastHave.order
  );
}

/**
 * The single-field indexes declared queries rely on, per collection and field path: an equality
 * field needs an ascending index, an order/range field the index in its direction.
 */
export function singleFieldNeeds(
  queries: readonly QuerySpec[],
): Map<string, Map<string, Set<Order>>> {
  const needs = new Map<string, Map<string, Set<Order>>>();
  const add = (collection: string, field: string, order: Order) => {
    const fields = needs.get(collection) ?? new Map<string, Set<Order>>();
    needs.set(collection, fields);
    const orders = fields.get(field) ?? new Set<Order>();
    fields.set(field, orders);
    orders.add(order);
  };
  for (const q of queries) {
    if (requiredIndex(q)) continue;
    for (const f of q.equality) add(q.collection, f, 'ASCENDING');
    if (q.order) add(q.collection, q.order.field, orderOf(q.order.direction));
  }
  return needs;
}

const byText = (a: string, b: string) => (a < b ? -1 : a > b ? 1 : 0);
const fieldsKey = (i: CompositeIndex) => i.fields.map((f) => `${f.fieldPath}:${f.order}`).join(',');

/** The whole of firestore.indexes.json, from the declared queries and the policy above. */
export function deriveIndexFile(
  queries: readonly QuerySpec[] = Object.values(QUERIES),
  exemptions: Readonly<Record<string, readonly string[]>> = SINGLE_FIELD_EXEMPTIONS,
  ttlCollections: readonly string[] = TTL_COLLECTIONS,
): IndexFile {
  const indexes: CompositeIndex[] = [];
  for (const q of queries) {
    const need = requiredIndex(q);
    if (need && !indexes.some((have) => servesQuery(have, q))) indexes.push(need);
  }
  indexes.sort(
    (a, b) => byText(a.collectionGroup, b.collectionGroup) || byText(fieldsKey(a), fieldsKey(b)),
  );

  const needs = singleFieldNeeds(queries);
  const kept = (collection: string, field: string): FieldOverrideIndex[] =>
    [...(needs.get(collection)?.get(field) ?? [])]
      .sort(byText)
      .map((order) => ({ order, queryScope: 'COLLECTION' }));

  const overrides = new Map<string, FieldOverride>();
  const put = (o: FieldOverride) => overrides.set(`${o.collectionGroup}\u0000${o.fieldPath}`, o);
  for (const [collection, fields] of Object.entries(exemptions)) {
    for (const fieldPath of fields) {
      put({ collectionGroup: collection, fieldPath, indexes: kept(collection, fieldPath) });
    }
  }
  for (const collection of ttlCollections) {
    put({
      collectionGroup: collection,
      fieldPath: TTL_FIELD,
      ttl: true,
      indexes: kept(collection, TTL_FIELD),
    });
  }
  // A subfield inherits its map's exemption: a query on `result.code` alone, with `result`
  // exempt, needs an override of its own that restores its index.
  for (const [collection, fields] of needs) {
    for (const field of fields.keys()) {
      const exemptAncestor = (exemptions[collection] ?? []).some((f) => field.startsWith(`${f}.`));
      if (exemptAncestor && !overrides.has(`${collection}\u0000${field}`)) {
        put({ collectionGroup: collection, fieldPath: field, indexes: kept(collection, field) });
      }
    }
  }
  const fieldOverrides = [...overrides.values()].sort(
    (a, b) => byText(a.collectionGroup, b.collectionGroup) || byText(a.fieldPath, b.fieldPath),
  );
  return { indexes, fieldOverrides };
}
