/**
 * The one table from a failed send to what the drain does: retry later, drop the token, or fail.
 *
 * Decisions (and why):
 * - UNAVAILABLE, INTERNAL, NETWORK_ERROR, TIMEOUT: retry, honouring Retry-After when given. A
 *   TIMEOUT may hide a delivered message; FCM has no idempotency key, so a retry can duplicate a
 *   notification. We accept at-least-once over losing pushes.
 * - QUOTA_EXCEEDED: retry no sooner than Retry-After and never sooner than 60 s (FCM's guidance:
 *   the quota is per minute, retrying earlier only burns more of it).
 * - NOT_SENT: retry with no delay. The send's deadline came before its request started, so FCM
 *   never saw it: nothing to wait for, and the push is as fresh as before.
 * - AUTH_ERROR: retry. The client has already refreshed the access token and replayed once; what
 *   is left is a credential/metadata outage of ours, not a property of the push, so the push must
 *   not be lost. The drain's attempt cap bounds it.
 * - UNSPECIFIED_ERROR: retry when the answer was a 5xx (server trouble), fail otherwise.
 * - UNREGISTERED: drop the token (the app was uninstalled or the token expired).
 * - INVALID_ARGUMENT: drop the token only when FCM says the *token* is invalid: a field violation
 *   on `message.token`, or a message naming the registration token (FCM's wording: "The
 *   registration token is not a valid FCM registration token"). The client validates payloads
 *   before sending, so any other INVALID_ARGUMENT is a payload problem: fail, keep the token.
 * - SENDER_ID_MISMATCH, THIRD_PARTY_AUTH_ERROR: fail. Project or APNs/web-push credential
 *   misconfiguration; retrying will not help and the token may be fine for the right sender.
 *
 * Pure: no clock reads; pass `now` to get an absolute `notBeforeMs`.
 */
import type { ErrorAction, FcmSendError } from './types';

/** FCM asks senders to back off at least a minute after QUOTA_EXCEEDED. */
export const QUOTA_EXCEEDED_MIN_DELAY_MS = 60_000;

export interface ClassifyOptions {
  /** Epoch ms; when given, a retry carries `notBeforeMs = now + delayMs`. */
  now?: number;
}

/** Whether an INVALID_ARGUMENT is about the registration token rather than the payload. */
export function isInvalidTokenError(error: FcmSendError): boolean {
  if (error.code !== 'INVALID_ARGUMENT') return false;
  if (error.fieldViolations?.some((v) => v.field === 'message.token')) return true;
  return /registration token/i.test(error.message);
}

function retry(delayMs: number | undefined, options: ClassifyOptions): ErrorAction {
  const action: ErrorAction = { kind: 'retry' };
  if (delayMs !== undefined) {
    action.delayMs = delayMs;
    if (options.now !== undefined) action.notBeforeMs = options.now + delayMs;
  }
  return action;
}

export function classifyFcmError(error: FcmSendError, options: ClassifyOptions = {}): ErrorAction {
  switch (error.code) {
    case 'NOT_SENT':
      return retry(0, options);
    case 'UNAVAILABLE':
    case 'INTERNAL':
    case 'NETWORK_ERROR':
    case 'TIMEOUT':
    case 'AUTH_ERROR':
      return retry(error.retryAfterMs, options);
    case 'QUOTA_EXCEEDED':
      return retry(Math.max(error.retryAfterMs ?? 0, QUOTA_EXCEEDED_MIN_DELAY_MS), options);
    case 'UNSPECIFIED_ERROR':
      return error.httpStatus !== undefined && error.httpStatus >= 500
        ? retry(error.retryAfterMs, options)
        : { kind: 'fail' };
    case 'UNREGISTERED':
      return { kind: 'drop-token' };
    case 'INVALID_ARGUMENT':
      return isInvalidTokenError(error) ? { kind: 'drop-token' } : { kind: 'fail' };
    case 'SENDER_ID_MISMATCH':
    case 'THIRD_PARTY_AUTH_ERROR':
      return { kind: 'fail' };
  }
}
