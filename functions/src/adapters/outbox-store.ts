/**
 * `pushRequests/{id}`: the outbox. Backends create the documents; only this module writes the
 * outcome onto them (the trigger and `fcm-push outbox --replay` both come here).
 */
import { FieldValue, Timestamp, type Firestore } from 'firebase-admin/firestore';
import type { OutboxOutcome, OutboxStore, UnprocessedRequest } from '../use-cases/ports';
import { DEFAULT_RETENTION_MS } from './push-store';

export type { OutboxStore, UnprocessedRequest };

export const PUSH_REQUESTS = 'pushRequests';

export function outboxFields(
  outcome: OutboxOutcome,
  nowMs: number,
  retentionMs: number,
): Record<string, unknown> {
  const common = {
    processedAt: FieldValue.serverTimestamp(),
    deleteAt: Timestamp.fromMillis(nowMs + retentionMs),
  };
  if (outcome.status === 'rejected') {
    return {
      status: 'rejected',
      reason: outcome.reason,
      ...(outcome.field ? { field: outcome.field } : {}),
      ...common,
    };
  }
  const q = outcome.queued;
  return {
    status: 'accepted',
    pushIds: q.pushIds,
    notificationIds: q.notificationIds,
    skipped: q.skipped.map((s) => s.reason),
    ...common,
  };
}

export function createOutboxStore(
  db: Firestore,
  options: { retentionMs: number } = { retentionMs: DEFAULT_RETENTION_MS },
): OutboxStore {
  const col = db.collection(PUSH_REQUESTS);
  return {
    async markProcessed(path, outcome, nowMs) {
      await db.doc(path).update(outboxFields(outcome, nowMs, options.retentionMs));
    },
    async scanUnprocessed({ scanLimit, startAfter }) {
      const unprocessed: UnprocessedRequest[] = [];
      let scanned = 0;
      let last = startAfter;
      const page = Math.min(500, scanLimit);
      while (scanned < scanLimit) {
        let q = col.orderBy('__name__').limit(Math.min(page, scanLimit - scanned));
        if (last !== undefined) q = q.startAfter(last);
        const snap = await q.get();
        if (snap.empty) return { unprocessed, scanned };
        for (const d of snap.docs) {
          if (d.get('status') === undefined) {
            unprocessed.push({
              path: d.ref.path,
              createTimeMs: d.createTime.toMillis(),
              data: d.data(),
            });
          }
        }
        scanned += snap.size;
        last = snap.docs[snap.docs.length - 1].id;
        if (snap.size < page) return { unprocessed, scanned };
      }
      return { unprocessed, scanned, last };
    },
  };
}
