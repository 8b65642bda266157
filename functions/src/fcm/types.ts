/**
 * The FCM HTTP v1 contract used by the rest of the product. The drain and the check path depend
 * only on these types; `client.ts` implements them over HTTP/2.
 *
 * Field names follow the v1 REST API (snake_case where the API uses it) so a message is sent as is.
 */

export interface FcmNotification {
  title?: string;
  body?: string;
  image?: string;
}

export interface FcmAndroidConfig {
  collapse_key?: string;
  /** The REST reference documents "normal" / "high"; the enum names are accepted too. */
  priority?: 'normal' | 'high' | 'NORMAL' | 'HIGH';
  /** Duration string, e.g. "3600s". */
  ttl?: string;
  restricted_package_name?: string;
  data?: Record<string, string>;
  notification?: Record<string, unknown> & { channel_id?: string };
  direct_boot_ok?: boolean;
}

export interface FcmApnsConfig {
  headers?: Record<string, string>;
  payload?: Record<string, unknown> & { aps?: Record<string, unknown> };
}

export interface FcmWebpushConfig {
  headers?: Record<string, string>;
  data?: Record<string, string>;
  notification?: Record<string, unknown>;
  fcm_options?: { link?: string; analytics_label?: string };
}

/** A v1 `Message`: exactly one of token, topic, condition. */
export interface FcmMessage {
  token?: string;
  topic?: string;
  condition?: string;
  notification?: FcmNotification;
  data?: Record<string, string>;
  android?: FcmAndroidConfig;
  apns?: FcmApnsConfig;
  webpush?: FcmWebpushConfig;
  fcm_options?: { analytics_label?: string };
}

/** The FCM v1 error codes (`FcmError.errorCode`), plus what the transport itself can fail with. */
export const FCM_ERROR_CODES = [
  'UNSPECIFIED_ERROR',
  'INVALID_ARGUMENT',
  'UNREGISTERED',
  'SENDER_ID_MISMATCH',
  'QUOTA_EXCEEDED',
  'UNAVAILABLE',
  'INTERNAL',
  'THIRD_PARTY_AUTH_ERROR',
] as const;
export type FcmErrorCode = (typeof FCM_ERROR_CODES)[number];

/**
 * Failures that never reached an FCM answer, or were about our own credentials. NOT_SENT: the
 * send's deadline (`SendOptions.deadlineMs`) came before the request could start, so FCM never
 * saw it.
 */
export type TransportErrorCode = 'NETWORK_ERROR' | 'TIMEOUT' | 'AUTH_ERROR' | 'NOT_SENT';

export type SendErrorCode = FcmErrorCode | TransportErrorCode;

/** A `google.rpc.BadRequest.FieldViolation`, e.g. `{field: 'message.data.from', ...}`. */
export interface FieldViolation {
  field: string;
  description: string;
}

export interface FcmSendError {
  code: SendErrorCode;
  message: string;
  /** HTTP status of the answer, when there was one. */
  httpStatus?: number;
  /** Retry-After from the answer, in milliseconds, when present. */
  retryAfterMs?: number;
  /** Canonical `google.rpc.Status.status` of a JSON answer (e.g. `NOT_FOUND`), when present. */
  status?: string;
  /** Field violations (from FCM's BadRequest detail, or from local validation). */
  fieldViolations?: FieldViolation[];
}

export type SendOutcome =
  | { ok: true; messageId: string }
  | {
      ok: false;
      error: FcmSendError;
      /** Set when no request for this message reached FCM because of the deadline (NOT_SENT). */
      notSent?: true;
    };

/** What the drain does with a failed send. */
export type ErrorAction =
  | {
      kind: 'retry';
      /** Earliest epoch ms for the next attempt (`now` + `delayMs`); set only when `now` was given. */
      notBeforeMs?: number;
      /** Minimum wait demanded by the answer (Retry-After, QUOTA_EXCEEDED floor), when any. */
      delayMs?: number;
    }
  | { kind: 'drop-token' }
  | { kind: 'fail' };

export interface SendOptions {
  /** `validate_only`: FCM checks the message without delivering it. */
  validateOnly?: boolean;
  /**
   * Hard deadline (epoch ms, by the sender's clock). No request is started at or after it: not
   * the first one, not the replay after a 401, not an access-token fetch. A message whose request
   * was not started gets `{ok: false, error: {code: 'NOT_SENT'}, notSent: true}`. A request
   * started before the deadline runs to its answer or its timeout, so the latest a message can
   * finish is deadline + 2 x (token fetch + request), each bounded by the client's timeout.
   */
  deadlineMs?: number;
}

export interface FcmSender {
  /** Sends one message; never throws for an FCM or network failure (returns it as an outcome). */
  send(message: FcmMessage, options?: SendOptions): Promise<SendOutcome>;
  /** Sends many with bounded concurrency; one outcome per message, in order. */
  sendAll(messages: readonly FcmMessage[], options?: SendOptions): Promise<SendOutcome[]>;
  /** Closes pooled connections (tests, scripts); functions keep the client for the instance. */
  close(): Promise<void>;
}
