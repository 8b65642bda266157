/**
 * The FCM HTTP v1 sender: validates, authenticates, sends with bounded concurrency over a shared
 * connection pool, and returns one outcome per message. It never throws for an FCM, auth or
 * network failure; the caller classifies outcomes with `classifyFcmError`.
 *
 * Time bounds: every access-token wait and every request is bounded by `timeoutMs`, and with
 * `SendOptions.deadlineMs` nothing starts at or after the deadline (a token fetch, a request, the
 * replay after a 401, a replay of a refused stream). So one message takes at most
 * 2 x (token wait + request) = 4 x `timeoutMs`, and never starts late.
 */
import type { AccessTokenProvider } from './access-token';
import { parseFcmErrorResponse } from './errors';
import type { HttpResponse, HttpTransport } from './transport';
import { TransportError, createHttp1Transport, createHttp2Transport } from './transport';
import type { FcmMessage, FcmSender, SendOptions, SendOutcome } from './types';

/** The outcome of a message whose request never started because the deadline came first. */
function notSent(when: string): SendOutcome {
  return {
    ok: false,
    error: { code: 'NOT_SENT', message: `not sent: the send deadline passed ${when}` },
    notSent: true,
  };
}
import { validateFcmMessage } from './validate';

export const DEFAULT_FCM_ENDPOINT = 'https://fcm.googleapis.com';

export interface FcmSenderOptions {
  projectId: string;
  /** Base URL; `https://fcm.googleapis.com` in production, a local FCM server in tests. */
  endpoint?: string;
  tokenProvider: AccessTokenProvider;
  /** Requests in flight at once, across `send` and `sendAll` (default 100). */
  concurrency?: number;
  /** Per-request timeout (default 10 s). */
  timeoutMs?: number;
  /** `'2'` (default: HTTP/2, h2c for http:// endpoints) or `'1.1'` (keep-alive pool). */
  httpVersion?: '2' | '1.1';
  /** HTTP/2 streams per connection before another connection opens (default 100). */
  maxStreamsPerSession?: number;
  /** Replaces the built-in transport (tests). */
  transport?: HttpTransport;
  /** Clock for Retry-After HTTP-dates (default `Date.now`). */
  now?: () => number;
}

/** A counting semaphore: `concurrency` holders at once, the rest wait in order. */
function createLimiter(concurrency: number) {
  let active = 0;
  const waiting: Array<() => void> = [];
  return {
    async run<T>(task: () => Promise<T>): Promise<T> {
      if (active >= concurrency) await new Promise<void>((resolve) => waiting.push(resolve));
      else active += 1;
      try {
        return await task();
      } finally {
        const next = waiting.shift();
        // Hand the slot straight to the next waiter; `active` stays the same.
        if (next) next();
        else active -= 1;
      }
    },
  };
}

export function createFcmSender(options: FcmSenderOptions): FcmSender {
  const endpoint = (options.endpoint ?? DEFAULT_FCM_ENDPOINT).replace(/\/+$/, '');
  const concurrency = Math.max(1, options.concurrency ?? 100);
  const timeoutMs = options.timeoutMs ?? 10_000;
  const now = options.now ?? Date.now;
  const base = new URL(endpoint);
  const path = `${base.pathname.replace(/\/+$/, '')}/v1/projects/${encodeURIComponent(
    options.projectId,
  )}/messages:send`;
  const transport =
    options.transport ??
    (options.httpVersion === '1.1'
      ? createHttp1Transport({ origin: base.origin, maxSockets: concurrency })
      : createHttp2Transport({
          origin: base.origin,
          maxStreamsPerSession: options.maxStreamsPerSession,
        }));
  const limiter = createLimiter(concurrency);

  async function post(body: string, token: string, mayStart: () => boolean): Promise<HttpResponse> {
    const headers: Record<string, string> = {
      authorization: `Bearer ${token}`,
      'content-type': 'application/json; charset=utf-8',
    };
    // User credentials (gcloud auth application-default login) need a quota project for FCM.
    const quotaProject = options.tokenProvider.quotaProjectId?.();
    if (quotaProject) headers['x-goog-user-project'] = quotaProject;
    return transport.post({ path, headers, body, timeoutMs, mayStart });
  }

  /** The provider's token, waited for at most `timeoutMs` (a hung metadata server is no excuse). */
  async function accessToken(): Promise<string> {
    let timer: NodeJS.Timeout | undefined;
    const timeout = new Promise<never>((_, reject) => {
      timer = setTimeout(
        () => reject(new Error(`Could not get an FCM access token within ${timeoutMs} ms`)),
        timeoutMs,
      );
    });
    try {
      return await Promise.race([options.tokenProvider.getToken(), timeout]);
    } finally {
      clearTimeout(timer);
    }
  }

  async function sendValidated(body: string, deadlineMs: number | undefined): Promise<SendOutcome> {
    const mayStart = (): boolean => deadlineMs === undefined || now() < deadlineMs;
    if (!mayStart()) return notSent('before its request could start');
    let token: string;
    try {
      token = await accessToken();
    } catch (error) {
      return { ok: false, error: { code: 'AUTH_ERROR', message: (error as Error).message } };
    }
    try {
      if (!mayStart()) return notSent('while the access token was fetched');
      let response = await post(body, token, mayStart);
      if (
        response.status === 401 &&
        parseFcmErrorResponse(toAnswer(response)).code === 'AUTH_ERROR'
      ) {
        // Our token was rejected (revoked, or expired early): one fresh token, one replay.
        options.tokenProvider.invalidate(token);
        // A 401 means FCM processed nothing: skipping the replay loses nothing.
        if (!mayStart()) return notSent('before the replay after HTTP 401');
        try {
          token = await accessToken();
        } catch (error) {
          return { ok: false, error: { code: 'AUTH_ERROR', message: (error as Error).message } };
        }
        if (!mayStart()) return notSent('before the replay after HTTP 401');
        response = await post(body, token, mayStart);
      }
      if (response.status === 200) {
        const name = parseMessageName(response.body);
        if (name !== undefined) return { ok: true, messageId: name };
        return {
          ok: false,
          error: {
            code: 'UNSPECIFIED_ERROR',
            message: 'FCM answered 200 without a message name',
            httpStatus: 200,
          },
        };
      }
      return { ok: false, error: parseFcmErrorResponse(toAnswer(response)) };
    } catch (error) {
      if (error instanceof TransportError) {
        // A refused stream whose replay the deadline stopped: FCM never saw it.
        if (error.unprocessed && !mayStart())
          return notSent('before a refused stream was replayed');
        return { ok: false, error: { code: error.code, message: error.message } };
      }
      return { ok: false, error: { code: 'NETWORK_ERROR', message: String(error) } };
    }
  }

  function toAnswer(response: HttpResponse) {
    return {
      httpStatus: response.status,
      body: response.body,
      retryAfter: response.headers['retry-after'],
      now: now(),
    };
  }

  async function send(message: FcmMessage, sendOptions: SendOptions = {}): Promise<SendOutcome> {
    const violations = validateFcmMessage(message);
    if (violations.length > 0) {
      return {
        ok: false,
        error: {
          code: 'INVALID_ARGUMENT',
          message: `Invalid message: ${violations.map((v) => `${v.field} ${v.description}`).join('; ')}`,
          fieldViolations: violations,
        },
      };
    }
    const body = JSON.stringify(
      sendOptions.validateOnly ? { message, validate_only: true } : { message },
    );
    return limiter.run(() => sendValidated(body, sendOptions.deadlineMs));
  }

  return {
    send,
    async sendAll(messages, sendOptions): Promise<SendOutcome[]> {
      // `concurrency` workers pull the next index, so pending promises stay bounded by concurrency.
      const outcomes = new Array<SendOutcome>(messages.length);
      let next = 0;
      const worker = async (): Promise<void> => {
        while (next < messages.length) {
          const index = next++;
          outcomes[index] = await send(messages[index]!, sendOptions);
        }
      };
      await Promise.all(Array.from({ length: Math.min(concurrency, messages.length) }, worker));
      return outcomes;
    },
    close: () => transport.close(),
  };
}

/** `{"name": "projects/p/messages/123"}` -> the name; undefined if absent or not JSON. */
function parseMessageName(body: string): string | undefined {
  try {
    const parsed = JSON.parse(body) as { name?: unknown };
    return typeof parsed.name === 'string' ? parsed.name : undefined;
  } catch {
    return undefined;
  }
}
