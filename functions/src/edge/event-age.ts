import * as logger from 'firebase-functions/logger';

/**
 * Triggers run with `retry: true`, so a failure is retried (for up to days). An event older than
 * MAX_EVENT_AGE_SECONDS is dropped with an error instead: a push that late would surprise users,
 * and a poison event must not retry forever. Answers true when the event must be dropped.
 */
export function tooOldToHandle(
  event: { id: string; time: string; document?: string },
  nowMs: number,
  maxEventAgeMs: number,
  what: string,
): boolean {
  const ageMs = nowMs - Date.parse(event.time);
  if (!(ageMs > maxEventAgeMs)) return false;
  logger.error(`${what}.event_too_old`, {
    eventId: event.id,
    path: event.document,
    ageSeconds: Math.round(ageMs / 1000),
    maxEventAgeSeconds: Math.round(maxEventAgeMs / 1000),
  });
  return true;
}
