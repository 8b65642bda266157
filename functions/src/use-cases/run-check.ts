/**
 * A business write happened: run the check, validate what it asks for, queue pushes and
 * notifications, apply cancels by key. Returns what happened; the trigger logs it and delivers
 * what is due now.
 */
import {
  parseCancel,
  parsePushRequest,
  type PushRequest,
  type RequestTarget,
} from '../core/push-request';
import { normalizeCheckOutput, type CheckDefinition, type DocData } from '../core/define-check';
import {
  cancelByKeys,
  queuePushes,
  type QueueDeps,
  type QueueResult,
  type SkippedRequest,
} from './queue-pushes';

export interface CheckEvent {
  eventId: string;
  /** When the write happened (the event's time); orders keyed replacements and cancels. */
  eventTimeMs: number;
  path: string;
  params: Record<string, string>;
  before: DocData | undefined;
  after: DocData | undefined;
  nowMs: number;
}

export interface CheckRun extends QueueResult {
  /** Requests or cancels the check returned that failed validation (a bug in the check). */
  invalid: SkippedRequest[];
}

export async function runCheck(
  deps: QueueDeps,
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
  const cancels: Array<{ key: string; to: RequestTarget }> = [];
  output.cancel.forEach((raw, index) => {
    const parsed = parseCancel(raw, `cancel[${index}].`);
    if (parsed.ok) cancels.push(parsed.value);
    else invalid.push({ index, reason: parsed.message });
  });
  const context = {
    eventId: event.eventId,
    eventTimeMs: event.eventTimeMs,
    nowMs: event.nowMs,
    path: event.path,
    check: check.name,
  };
  const queued = await queuePushes(deps, valid, context);
  const cancelled = await cancelByKeys(deps, cancels, context);
  return { ...queued, cancelledIds: [...queued.cancelledIds, ...cancelled], invalid };
}
