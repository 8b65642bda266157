/**
 * The check path's second half, shared by code checks and the outbox: validate what each request
 * would send, then queue it: a request for a user becomes one notification (resolved to the
 * user's devices when it is due), a request for a token, topic or condition becomes its push.
 * Keyed requests replace the target's pending push with the same key, newest event first.
 */
import { buildFcmMessage, planRequest, type PlannedEntry } from '../core/push';
import type { PushRequest } from '../core/push-request';
import { keyScopeOf } from '../core/push-key';
import { validateFcmMessage } from '../fcm/validate';
import { count, emptyIncrement } from '../core/stats';
import type { KeyStore, NotificationStore, PushStore, QueueResult, SkippedRequest } from './ports';
import { recordStats, type StatsDeps } from './stats';

export type { QueueResult, SkippedRequest };

export interface QueueDeps extends StatsDeps {
  pushes: PushStore;
  notifications: NotificationStore;
  keys: KeyStore;
}

export interface QueueContext {
  eventId: string;
  /** When the business write happened (the event's time): orders keyed replacements. */
  eventTimeMs: number;
  nowMs: number;
  /** Document path that caused the check, and the check's name. */
  path: string;
  check: string;
  /** A person who queued these (an operator's uid): `by` on each `queued` history entry. */
  by?: string;
}

export const emptyQueueResult = (): QueueResult => ({
  pushIds: [],
  notificationIds: [],
  dueNow: { pushIds: [], notificationIds: [] },
  skipped: [],
  cancelledIds: [],
  created: 0,
});

/**
 * A message FCM would refuse is refused now, naming the field, instead of failing later. Each
 * `localized` variant is a message of its own (it replaces the title and content on the devices
 * that read it), so each is checked too: no language can fail at send time.
 */
export function whyFcmWouldRefuse(request: PushRequest, nowMs: number): string | undefined {
  const to = request.to;
  const target = 'uid' in to ? { token: 'probe-token' } : to;
  const { localized, ...base } = request;
  const probe = (text: Pick<PushRequest, 'title' | 'content'>) =>
    validateFcmMessage(
      buildFcmMessage({ id: 'x'.repeat(32), target, attempts: 0, ...base, ...text }, nowMs),
    );
  const violations = probe({});
  if (violations.length) return describeViolation(violations[0]);
  for (const [tag, text] of Object.entries(localized ?? {})) {
    const v = probe(text);
    if (v.length) return `localized.${tag}: ${describeViolation(v[0])}`;
  }
  return undefined;
}

const describeViolation = (v: { field: string; description: string }) =>
  `${v.field.replace(/^message\./, '')}: ${v.description}`;

const idOf = (e: PlannedEntry) => (e.kind === 'notification' ? e.notification.id : e.push.id);
const reservedOf = (e: PlannedEntry) =>
  e.kind === 'notification' ? e.notification.reservedAtMs : e.push.reservedAtMs;

export async function queuePushes(
  deps: QueueDeps,
  requests: ReadonlyArray<{ index: number; request: PushRequest }>,
  context: QueueContext,
): Promise<QueueResult> {
  const result = emptyQueueResult();
  const plain: PlannedEntry[] = [];
  const keyed: PlannedEntry[] = [];
  for (const { index, request } of requests) {
    const refused = whyFcmWouldRefuse(request, context.nowMs);
    if (refused !== undefined) {
      result.skipped.push({ index, reason: refused });
      continue;
    }
    // Ids keep the caller's index, so a replay that skips differently maps each request the same.
    const entry = planRequest(index, request, {
      eventId: context.eventId,
      nowMs: context.nowMs,
      source: { path: context.path, check: context.check },
      ...(context.by !== undefined ? { by: context.by } : {}),
    });
    (request.key ? keyed : plain).push(entry);
  }

  const queued: PlannedEntry[] = [...plain];
  const notifications = plain.flatMap((e) => (e.kind === 'notification' ? [e.notification] : []));
  const pushes = plain.flatMap((e) => (e.kind === 'push' ? [e.push] : []));
  const [n, p] = await Promise.all([
    deps.notifications.createAll(notifications, context.nowMs),
    deps.pushes.createAll(pushes, context.nowMs),
  ]);
  result.created += n.created + p.created;

  for (const entry of keyed) {
    const request = entry.kind === 'notification' ? entry.notification.request : entry.push.request;
    const outcome = await deps.keys.queue(
      entry,
      keyScopeOf(request.to),
      request.key!,
      { eventId: context.eventId, eventTimeMs: context.eventTimeMs },
      context.nowMs,
    );
    if (outcome.kind === 'superseded') {
      result.skipped.push({
        index: entry.index,
        reason: `superseded: a newer event (${outcome.byEventId}) already decided key "${request.key}"`,
      });
      continue;
    }
    if (outcome.kind === 'queued') {
      if (outcome.created) result.created++;
      result.cancelledIds.push(...outcome.cancelledIds);
    }
    queued.push(entry);
  }

  // Statistics after the writes: what this event created (a replay creates nothing), and what
  // its keys replaced.
  const increment = emptyIncrement();
  count(increment, 'queued', result.created);
  count(increment, 'cancelled', result.cancelledIds.length, 'CANCELLED');
  await recordStats(deps, increment, context.nowMs);

  for (const entry of queued) {
    const due = reservedOf(entry) <= context.nowMs;
    if (entry.kind === 'notification') {
      result.notificationIds.push(idOf(entry));
      if (due) result.dueNow.notificationIds.push(idOf(entry));
    } else {
      result.pushIds.push(idOf(entry));
      if (due) result.dueNow.pushIds.push(idOf(entry));
    }
  }
  return result;
}

/** Cancels what each (target, key) holds, for an event newer than the one that set it. */
export async function cancelByKeys(
  deps: Pick<QueueDeps, 'keys' | 'stats' | 'onStatsError'>,
  cancels: ReadonlyArray<{ key: string; to: PushRequest['to'] }>,
  context: Pick<QueueContext, 'eventId' | 'eventTimeMs' | 'nowMs'>,
): Promise<string[]> {
  const cancelled: string[] = [];
  for (const c of cancels) {
    const outcome = await deps.keys.cancel(
      keyScopeOf(c.to),
      c.key,
      { eventId: context.eventId, eventTimeMs: context.eventTimeMs },
      context.nowMs,
    );
    if (outcome.kind === 'queued') cancelled.push(...outcome.cancelledIds);
  }
  const increment = emptyIncrement();
  count(increment, 'cancelled', cancelled.length, 'CANCELLED');
  await recordStats(deps, increment, context.nowMs);
  return cancelled;
}
