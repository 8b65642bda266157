/**
 * A business write happened: run the check, validate what it asks for, confirm targets, queue
 * pushes, cancel replaced ones. Returns what happened; the trigger logs it and delivers the
 * pushes that are due now.
 */
import { parsePushRequest, type PushRequest } from '../core/push-request';
import { normalizeCheckOutput, type CheckDefinition, type DocData } from '../checks/define-check';
import type { PushStore } from '../adapters/push-store';
import type { TokenStore } from '../adapters/token-store';
import { queuePushes, type QueueResult, type SkippedRequest } from './queue-pushes';

export interface CheckEvent {
  eventId: string;
  path: string;
  params: Record<string, string>;
  before: DocData | undefined;
  after: DocData | undefined;
  nowMs: number;
}

export interface CheckRun extends QueueResult {
  /** Requests the check returned that failed validation (a bug in the check). */
  invalid: SkippedRequest[];
}

export async function runCheck(
  deps: { pushes: PushStore; tokens: TokenStore },
  check: CheckDefinition,
  event: CheckEvent,
): Promise<CheckRun> {
  const output = normalizeCheckOutput(check.run(event.before, event.after, event.params));
  const valid: Array<{ index: number; request: PushRequest }> = [];
  const invalid: SkippedRequest[] = [];
  output.send.forEach((raw, index) => {
    const parsed = parsePushRequest(raw, `requests[${index}].`);
    if (parsed.ok) valid.push({ index, request: parsed.value });
    else invalid.push({ index, reason: parsed.message });
  });
  const queued = await queuePushes(deps, valid, {
    eventId: event.eventId,
    nowMs: event.nowMs,
    path: event.path,
    check: check.name,
  });
  const cancelledIds = [...queued.cancelledIds];
  for (const key of output.cancel) {
    cancelledIds.push(...(await deps.pushes.cancelPendingByKey(key, new Set())));
  }
  return { ...queued, cancelledIds, invalid };
}
