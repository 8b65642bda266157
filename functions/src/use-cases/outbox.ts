/**
 * The outbox: a backend that prefers writing data to writing code creates pushRequests/{id} with
 * the fields of a push request. The same check path queues it; the request document records the
 * outcome (accepted with the ids it queued, or rejected with a reason naming the field).
 *
 * The event id of an outbox document is its path and creation time, not the trigger's event id,
 * so the trigger, its retries and an operator's replay (`fcm-push outbox --replay`) all derive the
 * same push ids: whichever runs twice writes nothing new.
 */
import { parsePushRequest } from '../core/push-request';
import type { OutboxOutcome, OutboxStore } from './ports';
import { queuePushes, type QueueDeps } from './queue-pushes';

export type { OutboxOutcome };

/** The stable event identity of an outbox document (see the module comment). */
export function outboxEventId(path: string, createTimeMs: number): string {
  return `outbox:${path}@${createTimeMs}`;
}

export async function acceptPushRequest(
  deps: QueueDeps,
  doc: Record<string, unknown>,
  event: { path: string; createTimeMs: number; nowMs: number },
): Promise<OutboxOutcome> {
  const parsed = parsePushRequest(doc);
  if (!parsed.ok) return { status: 'rejected', reason: parsed.message, field: parsed.field };
  const queued = await queuePushes(deps, [{ index: 0, request: parsed.value }], {
    eventId: outboxEventId(event.path, event.createTimeMs),
    eventTimeMs: event.createTimeMs,
    nowMs: event.nowMs,
    path: event.path,
    check: 'outbox',
  });
  if (queued.pushIds.length === 0 && queued.notificationIds.length === 0) {
    return { status: 'rejected', reason: queued.skipped[0]?.reason ?? 'no target' };
  }
  return { status: 'accepted', queued };
}

/**
 * One outbox document, from the trigger or an operator's replay: queue it, then record the
 * outcome on it. Queue first: if recording fails, a retry re-derives the same ids.
 */
export async function processPushRequest(
  deps: QueueDeps & { outbox: OutboxStore },
  request: { path: string; createTimeMs: number; data: Record<string, unknown> },
  nowMs: number,
): Promise<OutboxOutcome> {
  const outcome = await acceptPushRequest(deps, request.data, {
    path: request.path,
    createTimeMs: request.createTimeMs,
    nowMs,
  });
  await deps.outbox.markProcessed(request.path, outcome, nowMs);
  return outcome;
}
