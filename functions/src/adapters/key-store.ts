/**
 * `pushKeys/{id}`: one record per (target, key), naming the event that decided the key last and
 * the document it queued. Keyed requests and cancels go through one transaction each, which
 * reads the record, acts only if the incoming event is newer (see core/push-key), cancels the
 * previous push while it is still pending, writes the new one and moves the record.
 */
import {
  FieldValue,
  Timestamp,
  type DocumentReference,
  type Firestore,
} from 'firebase-admin/firestore';
import { keyRecordIdOf, orderKeyEvent, type KeyEvent } from '../core/push-key';
import type { KeyedOutcome, KeyStore } from '../use-cases/ports';
import { NOTIFICATIONS, notificationDocumentOf } from './notification-store';
import { DEFAULT_RETENTION_MS, PUSHES, finishedFields, pushDocumentOf } from './push-store';

export type { KeyedOutcome, KeyStore };

export const PUSH_KEYS = 'pushKeys';

const ts = (ms: number) => Timestamp.fromMillis(ms);

export function createKeyStore(
  db: Firestore,
  options: { retentionMs: number } = { retentionMs: DEFAULT_RETENTION_MS },
): KeyStore {
  const keys = db.collection(PUSH_KEYS);

  function cancelFields(key: string, nowMs: number, eventId: string) {
    return {
      status: 'cancelled',
      result: { code: 'CANCELLED', message: `Replaced or cancelled by key ${key}.` },
      ...finishedFields(nowMs, options.retentionMs),
      history: FieldValue.arrayUnion({ at: ts(nowMs), event: 'cancelled', key, by: eventId }),
    };
  }

  async function decide(
    scope: string,
    key: string,
    event: KeyEvent,
    nowMs: number,
    write: { ref: DocumentReference; data: Record<string, unknown>; keepUntilMs: number } | null,
  ): Promise<KeyedOutcome> {
    const recordRef = keys.doc(keyRecordIdOf(scope, key));
    return db.runTransaction(async (tx) => {
      const record = await tx.get(recordRef);
      const recorded = record.exists
        ? { eventId: String(record.get('eventId')), eventTimeMs: Number(record.get('eventTimeMs')) }
        : undefined;
      const order = orderKeyEvent(recorded, event);
      if (order === 'replay') return { kind: 'replay' as const };
      if (order === 'stale') return { kind: 'superseded' as const, byEventId: recorded!.eventId };

      // Reads first (a transaction's rule): the push the key holds now and, for a notification
      // already expanded, its deliveries.
      const previousPath = record.exists ? (record.get('path') as string | null) : null;
      const previous = previousPath ? await tx.get(db.doc(previousPath)) : undefined;
      const deliveryIds: string[] =
        previous?.exists && previous.get('status') === 'expanded'
          ? (previous.get('deliveryIds') ?? [])
          : [];
      const deliveries = deliveryIds.length
        ? await tx.getAll(...deliveryIds.map((id) => db.collection(PUSHES).doc(id)))
        : [];
      const existing = write ? await tx.get(write.ref) : undefined;

      const cancelledIds: string[] = [];
      // Only a push nobody is sending can be cancelled; one claimed meanwhile is being sent.
      for (const d of [previous, ...deliveries]) {
        if (d?.exists && d.ref.path !== write?.ref.path && d.get('status') === 'pending') {
          tx.update(d.ref, cancelFields(key, nowMs, event.eventId));
          cancelledIds.push(d.id);
        }
      }
      const created = !!write && !existing?.exists;
      if (write && created) tx.create(write.ref, write.data);
      const keepUntilMs = Math.max(nowMs, write?.keepUntilMs ?? 0);
      tx.set(recordRef, {
        scope,
        key,
        eventId: event.eventId,
        eventTimeMs: event.eventTimeMs,
        path: write ? write.ref.path : null,
        updatedAt: ts(nowMs),
        // The record must outlive its push and any late redelivery of an older event.
        deleteAt: ts(keepUntilMs + options.retentionMs),
      });
      return { kind: 'queued' as const, created, cancelledIds };
    });
  }

  return {
    queue(entry, scope, key, event, nowMs) {
      const write =
        entry.kind === 'notification'
          ? {
              ref: db.collection(NOTIFICATIONS).doc(entry.notification.id),
              data: notificationDocumentOf(entry.notification, nowMs),
              keepUntilMs: Math.max(
                entry.notification.reservedAtMs,
                entry.notification.request.expiresAtMs ?? 0,
              ),
            }
          : {
              ref: db.collection(PUSHES).doc(entry.push.id),
              data: pushDocumentOf(entry.push, nowMs, options.retentionMs),
              keepUntilMs: Math.max(entry.push.reservedAtMs, entry.push.request.expiresAtMs ?? 0),
            };
      return decide(scope, key, event, nowMs, write);
    },
    cancel(scope, key, event, nowMs) {
      return decide(scope, key, event, nowMs, null);
    },
  };
}
