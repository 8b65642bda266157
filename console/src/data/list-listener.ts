/**
 * A live page of a list: the declared query for a filter (list-query.ts), newest first, limited,
 * after a cursor. Only the constraints of the spec are used, so the query is one of those the
 * index test derives firestore.indexes.json from.
 */
import {
  collection,
  limit,
  onSnapshot,
  orderBy,
  query,
  startAfter,
  where,
  type Firestore,
  type QueryConstraint,
  type QueryDocumentSnapshot,
  type Unsubscribe,
} from 'firebase/firestore';
import { planList, type ListFilter } from './list-query';

export function listenList(
  db: Firestore,
  filter: ListFilter,
  options: { size: number; after?: QueryDocumentSnapshot },
  onDocs: (docs: QueryDocumentSnapshot[]) => void,
  onError: (err: Error) => void,
): Unsubscribe {
  const { spec, values } = planList(filter);
  const constraints: QueryConstraint[] = spec.equality.map((field, i) =>
    where(field, '==', values[i]),
  );
  if (spec.order) constraints.push(orderBy(spec.order.field, spec.order.direction));
  if (options.after) constraints.push(startAfter(options.after));
  constraints.push(limit(options.size));
  return onSnapshot(
    query(collection(db, spec.collection), ...constraints),
    (snap) => onDocs(snap.docs),
    onError,
  );
}
