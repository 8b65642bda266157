import { Timestamp } from 'firebase-admin/firestore';

/**
 * Firestore document data as plain values for the pure checks: Timestamps become Dates, nested
 * maps and arrays are converted too; other values (GeoPoint, DocumentReference, Bytes) pass as is.
 */
export function toPlainData(value: unknown): unknown {
  if (value instanceof Timestamp) return value.toDate();
  if (Array.isArray(value)) return value.map(toPlainData);
  if (value && typeof value === 'object' && Object.getPrototypeOf(value) === Object.prototype) {
    return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, toPlainData(v)]));
  }
  return value;
}
