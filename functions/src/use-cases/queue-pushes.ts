/**
 * The check path's second half, shared by code checks and the outbox: confirm the targets of
 * validated requests, write one `pushes` document per target (isChecked: true), replace pushes
 * with the same key, and say which pushes are due at once.
 */
import { buildFcmMessage, planPushes, type PushTarget } from '../core/push';
import type { PushRequest } from '../core/push-request';
import { validateFcmMessage } from '../fcm/validate';
import type { PushStore } from '../adapters/push-store';
import type { TokenStore } from '../adapters/token-store';

export interface QueueContext {
  eventId: string;
  nowMs: number;
  /** Document path that caused the check, and the check's name. */
  path: string;
  check: string;
}

export interface SkippedRequest {
  index: number;
  reason: string;
}

export interface QueueResult {
  pushIds: string[];
  /** Of pushIds, those due now (deliver without waiting for the drain). */
  dueNowIds: string[];
  skipped: SkippedRequest[];
  cancelledIds: string[];
  created: number;
}

async function confirmTargets(
  tokens: TokenStore,
  request: PushRequest,
): Promise<{ targets: PushTarget[]; uid?: string } | { reason: string }> {
  const to = request.to;
  if ('uid' in to) {
    const devices = await tokens.listByUser(to.uid);
    if (devices.length === 0) return { reason: `user ${to.uid} has no registered tokens` };
    return { targets: devices.map((d) => ({ token: d.token })), uid: to.uid };
  }
  if ('token' in to) return { targets: [{ token: to.token }] };
  if ('topic' in to) return { targets: [{ topic: to.topic.replace(/^\/topics\//, '') }] };
  return { targets: [{ condition: to.condition }] };
}

export async function queuePushes(
  deps: { pushes: PushStore; tokens: TokenStore },
  requests: ReadonlyArray<{ index: number; request: PushRequest }>,
  context: QueueContext,
): Promise<QueueResult> {
  const skipped: SkippedRequest[] = [];
  const confirmed: Array<{ request: PushRequest; targets: PushTarget[]; uid?: string }> = [];
  // planPushes derives ids from the position in `confirmed`; keep the caller's index instead so a
  // replay that skips differently still maps each request to the same ids.
  const byIndex: number[] = [];
  for (const { index, request } of requests) {
    const found = await confirmTargets(deps.tokens, request);
    if ('reason' in found) {
      skipped.push({ index, reason: found.reason });
      continue;
    }
    // A message FCM would refuse is refused now, with the field, instead of failing in the drain.
    const probe = buildFcmMessage(
      { id: 'x'.repeat(32), target: found.targets[0], attempts: 0, ...request },
      context.nowMs,
    );
    const violations = validateFcmMessage(probe);
    if (violations.length) {
      const v = violations[0];
      skipped.push({ index, reason: `${v.field.replace(/^message\./, '')}: ${v.description}` });
      continue;
    }
    confirmed.push(
      found.uid !== undefined
        ? { request, targets: found.targets, uid: found.uid }
        : { request, targets: found.targets },
    );
    byIndex.push(index);
  }

  const planned = planPushes(
    confirmed.map((c, i) => ({ ...c, index: byIndex[i] })),
    {
      eventId: context.eventId,
      nowMs: context.nowMs,
      source: { path: context.path, check: context.check },
    },
  );
  const { created } = await deps.pushes.createAll(planned, context.nowMs);

  const newIds = new Set(planned.map((p) => p.id));
  const cancelledIds: string[] = [];
  const keys = new Set(confirmed.map((c) => c.request.key).filter((k): k is string => !!k));
  for (const key of keys) cancelledIds.push(...(await deps.pushes.cancelPendingByKey(key, newIds)));

  return {
    pushIds: planned.map((p) => p.id),
    dueNowIds: planned.filter((p) => p.reservedAtMs <= context.nowMs).map((p) => p.id),
    skipped,
    cancelledIds,
    created,
  };
}
