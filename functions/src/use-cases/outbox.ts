/**
 * The outbox: a backend that prefers writing data to writing code creates pushRequests/{id} with
 * the fields of a push request. The same check path confirms it; the request document records
 * the outcome (accepted with push ids, or rejected with a reason naming the field).
 */
import { parsePushRequest } from '../core/push-request';
import type { PushStore } from '../adapters/push-store';
import type { TokenStore } from '../adapters/token-store';
import { queuePushes, type QueueResult } from './queue-pushes';

export const PUSH_REQUESTS = 'pushRequests';

export type OutboxOutcome =
  | { status: 'accepted'; queued: QueueResult; reason?: string }
  | { status: 'rejected'; reason: string; field?: string };

export async function acceptPushRequest(
  deps: { pushes: PushStore; tokens: TokenStore },
  doc: Record<string, unknown>,
  event: { eventId: string; path: string; nowMs: number },
): Promise<OutboxOutcome> {
  const parsed = parsePushRequest(doc);
  if (!parsed.ok) return { status: 'rejected', reason: parsed.message, field: parsed.field };
  const queued = await queuePushes(deps, [{ index: 0, request: parsed.value }], {
    ...event,
    check: 'outbox',
  });
  if (queued.pushIds.length === 0) {
    return { status: 'rejected', reason: queued.skipped[0]?.reason ?? 'no target' };
  }
  return { status: 'accepted', queued };
}
