/**
 * Turns an FCM v1 error answer into one typed `FcmSendError`.
 *
 * FCM answers errors as a `google.rpc.Status` wrapped in `{"error": ...}`; the precise FCM code sits
 * in a `details[]` entry of type `google.firebase.fcm.v1.FcmError`, field violations in a
 * `google.rpc.BadRequest` entry. Proxies and load balancers in front of FCM answer with HTML or
 * plain text instead, so the HTTP status is the last resort (as in firebase-admin's `getErrorCode`).
 *
 * Pure: takes the answer as plain data (status, raw body, Retry-After header, `now`).
 */
import type { FcmErrorCode, FcmSendError, FieldViolation, SendErrorCode } from './types';
import { FCM_ERROR_CODES } from './types';

export const FCM_ERROR_DETAIL_TYPE = 'type.googleapis.com/google.firebase.fcm.v1.FcmError';
export const BAD_REQUEST_DETAIL_TYPE = 'type.googleapis.com/google.rpc.BadRequest';

/** The `error` member of a Google JSON error body (`google.rpc.Status`). */
export interface GoogleRpcStatus {
  code?: number;
  message?: string;
  status?: string;
  details?: Array<Record<string, unknown> & { '@type'?: string }>;
}

/**
 * FcmError codes FCM has renamed, by their current name. firebase-admin-node maps the same
 * (src/messaging/error.ts, MESSAGING_SERVER_TO_CLIENT_CODE: `APNS_AUTH_ERROR:
 * 'THIRD_PARTY_AUTH_ERROR'`). Without this, an APNS_AUTH_ERROR (HTTP 401, status
 * UNAUTHENTICATED) would fall back to the status and look like our own OAuth token was refused:
 * a healthy token discarded and the message replayed for nothing.
 */
const LEGACY_FCM_ERROR_CODES: Readonly<Record<string, FcmErrorCode>> = {
  APNS_AUTH_ERROR: 'THIRD_PARTY_AUTH_ERROR',
};

/**
 * Canonical status -> code when there is no FcmError detail.
 * UNAUTHENTICATED is about our own OAuth token (the client replays once after a refresh), hence
 * AUTH_ERROR and not THIRD_PARTY_AUTH_ERROR, which FCM uses for APNs/web-push credentials and
 * always sends with its FcmError detail. FCM puts the detail on every answer
 * about a message or a token (UNREGISTERED, SENDER_ID_MISMATCH, ...); a bare NOT_FOUND or
 * PERMISSION_DENIED comes from Google's front end instead: a wrong project id, the FCM API
 * disabled, or a runtime service account without permission to send. Those are setup problems,
 * not dead tokens: NOT_FOUND fails the push without deleting any token, and PERMISSION_DENIED is
 * retried (as AUTH_ERROR) so pushes survive until the operator fixes IAM or enables the API.
 */
const CODE_BY_RPC_STATUS: Readonly<Record<string, SendErrorCode>> = {
  INVALID_ARGUMENT: 'INVALID_ARGUMENT',
  NOT_FOUND: 'UNSPECIFIED_ERROR',
  PERMISSION_DENIED: 'AUTH_ERROR',
  RESOURCE_EXHAUSTED: 'QUOTA_EXCEEDED',
  UNAVAILABLE: 'UNAVAILABLE',
  INTERNAL: 'INTERNAL',
  UNAUTHENTICATED: 'AUTH_ERROR',
  DEADLINE_EXCEEDED: 'UNAVAILABLE',
};

/**
 * Fallback for bodies that are not Google JSON. Deliberately conservative: such an answer did not
 * come from FCM itself (a proxy, a wrong endpoint), so 404/403 never become UNREGISTERED or
 * SENDER_ID_MISMATCH here: a misconfigured endpoint must not make the drain delete every token.
 */
export function errorCodeFromHttpStatus(httpStatus: number): SendErrorCode {
  if (httpStatus === 400) return 'INVALID_ARGUMENT';
  // 401/403 from something in front of FCM: our credentials or a proxy's policy, never the push
  // (firebase-admin-node also reads both as "authentication-error"). Retried, like a bare
  // PERMISSION_DENIED; only a 401 makes the client refresh its token and replay.
  if (httpStatus === 401 || httpStatus === 403) return 'AUTH_ERROR';
  if (httpStatus === 429) return 'QUOTA_EXCEEDED';
  if (httpStatus === 500) return 'INTERNAL';
  if (httpStatus === 502 || httpStatus === 503 || httpStatus === 504) return 'UNAVAILABLE';
  if (httpStatus > 500) return 'INTERNAL';
  return 'UNSPECIFIED_ERROR';
}

function isFcmErrorCode(value: unknown): value is FcmErrorCode {
  return typeof value === 'string' && (FCM_ERROR_CODES as readonly string[]).includes(value);
}

/** Parses `{"error": {...}}`; undefined when the body is not a Google JSON error. */
export function parseRpcStatus(body: string): GoogleRpcStatus | undefined {
  let parsed: unknown;
  try {
    parsed = JSON.parse(body);
  } catch {
    return undefined;
  }
  if (typeof parsed !== 'object' || parsed === null) return undefined;
  const error = (parsed as { error?: unknown }).error;
  if (typeof error !== 'object' || error === null || Array.isArray(error)) return undefined;
  return error as GoogleRpcStatus;
}

/** The FcmError detail's code, then the canonical status, then the HTTP status. */
export function getErrorCode(
  httpStatus: number,
  status: GoogleRpcStatus | undefined,
): SendErrorCode {
  if (status) {
    const detail = status.details?.find((d) => d['@type'] === FCM_ERROR_DETAIL_TYPE);
    if (detail && isFcmErrorCode(detail.errorCode)) return detail.errorCode;
    const renamed =
      detail && typeof detail.errorCode === 'string'
        ? LEGACY_FCM_ERROR_CODES[detail.errorCode]
        : undefined;
    if (renamed) return renamed;
    if (typeof status.status === 'string') {
      return CODE_BY_RPC_STATUS[status.status] ?? 'UNSPECIFIED_ERROR';
    }
  }
  return errorCodeFromHttpStatus(httpStatus);
}

function fieldViolationsOf(status: GoogleRpcStatus | undefined): FieldViolation[] | undefined {
  const violations = status?.details
    ?.filter((d) => d['@type'] === BAD_REQUEST_DETAIL_TYPE)
    .flatMap((d) => (Array.isArray(d.fieldViolations) ? (d.fieldViolations as unknown[]) : []))
    .filter((v): v is Record<string, unknown> => typeof v === 'object' && v !== null)
    .map((v) => ({ field: String(v.field ?? ''), description: String(v.description ?? '') }));
  return violations && violations.length > 0 ? violations : undefined;
}

/**
 * `Retry-After` in milliseconds from `now`: either delay-seconds ("120", fractions tolerated) or an
 * HTTP-date. A date in the past gives 0; an unreadable value gives undefined (no hint).
 */
export function parseRetryAfter(value: string | undefined, now: number): number | undefined {
  if (value === undefined) return undefined;
  const trimmed = value.trim();
  if (trimmed === '') return undefined;
  if (/^\d+(\.\d+)?$/.test(trimmed)) return Math.round(Number(trimmed) * 1000);
  // HTTP-dates name a weekday and month; this keeps "-5" (which Date.parse reads as year -5) out.
  if (!/[a-z]/i.test(trimmed)) return undefined;
  const date = Date.parse(trimmed);
  if (Number.isNaN(date)) return undefined;
  return Math.max(0, date - now);
}

export interface ErrorAnswer {
  httpStatus: number;
  /** The raw response body (JSON or not). */
  body: string;
  /** The `Retry-After` header, if any. */
  retryAfter?: string;
  /** Epoch ms, for HTTP-date Retry-After values. */
  now: number;
}

/** Short, single-line excerpt of a non-JSON body for the error message (HTML pages are long). */
function excerpt(body: string): string {
  const text = body
    .replace(/<[^>]*>/g, ' ')
    .replace(/\s+/g, ' ')
    .trim();
  return text.length > 200 ? `${text.slice(0, 200)}…` : text;
}

export function parseFcmErrorResponse(answer: ErrorAnswer): FcmSendError {
  const status = parseRpcStatus(answer.body);
  const code = getErrorCode(answer.httpStatus, status);
  const message =
    typeof status?.message === 'string' && status.message !== ''
      ? status.message
      : `HTTP ${answer.httpStatus}${answer.body ? `: ${excerpt(answer.body)}` : ''}`;
  const error: FcmSendError = { code, message, httpStatus: answer.httpStatus };
  if (typeof status?.status === 'string') error.status = status.status;
  const violations = fieldViolationsOf(status);
  if (violations) error.fieldViolations = violations;
  const retryAfterMs = parseRetryAfter(answer.retryAfter, answer.now);
  if (retryAfterMs !== undefined) error.retryAfterMs = retryAfterMs;
  return error;
}
