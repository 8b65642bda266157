/**
 * A local FCM HTTP v1 server (the real FCM has no emulator).
 *
 * `POST /v1/projects/{project}/messages:send` over HTTP/2 cleartext (h2c, prior knowledge) and
 * HTTP/1.1 on the same port: the first bytes of a connection decide (Node 20's plaintext
 * `http2.createServer` ignores `allowHTTP1`, so we route connections ourselves).
 *
 * It answers like FCM: bearer-token check (401 UNAUTHENTICATED), FCM's validation rules (400
 * INVALID_ARGUMENT with `google.rpc.Status`, an `FcmError` detail and `BadRequest` field
 * violations), `{"name": "projects/{p}/messages/{id}"}` on success. Tests script failures per
 * token, per nth request or by a rule function: any FCM error code with its HTTP status, Retry-After,
 * non-JSON bodies, slow answers, no answer, reset or refused streams, GOAWAY (graceful, or
 * refusing the stream) and dropped connections.
 *
 * The rules it enforces, each as FCM documents it (see `validate` below and docs/fcm-client.md):
 * exactly one target; string data values; reserved data keys (`from`, `message_type`, `google.*`,
 * `gcm.notification.*`, case-sensitive); `android.priority` "normal"/"high" in either case;
 * Android TTL 0-28 days; each platform's payload at most 4,096 bytes (2,048 for topics and
 * conditions); and for a data-only message to an Apple device, `apns-priority: 10` is refused.
 * A token is an Apple device's when it starts with `ios-` (APPLE_TOKEN_PREFIX) or is in
 * `server.appleTokens`; nothing else about a token means anything here.
 *
 * `:scheme` is ignored: a client redirected here from fcm.googleapis.com sends `:scheme: https`
 * over our h2c connection, and FCM semantics do not depend on it. One exception cannot be handled
 * here: firebase-admin 13 sends `:scheme: https:` (with the colon), which Node's nghttp2 rejects
 * with PROTOCOL_ERROR before any JavaScript runs; whoever redirects firebase-admin must strip the
 * colon on its side (see tools/bench/send.ts).
 *
 * Standalone: `tsx tools/local-google/fcm-server.ts --port 9299 [--rtt-ms 30] [--quiet]` prints one
 * line per accepted push (target, title, body); FCM tokens are shown as a short hash only.
 */
import { createHash } from 'node:crypto';
import * as http from 'node:http';
import * as http2 from 'node:http2';
import * as net from 'node:net';

export const FCM_ERROR_TYPE = 'type.googleapis.com/google.firebase.fcm.v1.FcmError';
const BAD_REQUEST_TYPE = 'type.googleapis.com/google.rpc.BadRequest';

export type FcmErrorCodeName =
  /** The legacy name of THIRD_PARTY_AUTH_ERROR, which FCM may still send. */
  | 'APNS_AUTH_ERROR'
  | 'UNSPECIFIED_ERROR'
  | 'INVALID_ARGUMENT'
  | 'UNREGISTERED'
  | 'SENDER_ID_MISMATCH'
  | 'QUOTA_EXCEEDED'
  | 'UNAVAILABLE'
  | 'INTERNAL'
  | 'THIRD_PARTY_AUTH_ERROR';

/** HTTP status, canonical status and FCM's usual message for each FCM error code. */
export const FCM_ERROR_ANSWERS: Readonly<
  Record<FcmErrorCodeName, { httpStatus: number; status: string; message: string }>
> = {
  UNSPECIFIED_ERROR: { httpStatus: 500, status: 'UNKNOWN', message: 'Unknown error.' },
  INVALID_ARGUMENT: {
    httpStatus: 400,
    status: 'INVALID_ARGUMENT',
    message: 'Request contains an invalid argument.',
  },
  UNREGISTERED: {
    httpStatus: 404,
    status: 'NOT_FOUND',
    message: 'Requested entity was not found.',
  },
  SENDER_ID_MISMATCH: {
    httpStatus: 403,
    status: 'PERMISSION_DENIED',
    message: 'SenderId mismatch',
  },
  QUOTA_EXCEEDED: {
    httpStatus: 429,
    status: 'RESOURCE_EXHAUSTED',
    message: 'Quota exceeded for quota metric of service fcm.googleapis.com.',
  },
  UNAVAILABLE: {
    httpStatus: 503,
    status: 'UNAVAILABLE',
    message: 'The service is currently unavailable.',
  },
  INTERNAL: { httpStatus: 500, status: 'INTERNAL', message: 'Internal error encountered.' },
  THIRD_PARTY_AUTH_ERROR: {
    httpStatus: 401,
    status: 'UNAUTHENTICATED',
    message: 'Auth error from APNS or Web Push Service',
  },
  APNS_AUTH_ERROR: {
    httpStatus: 401,
    status: 'UNAUTHENTICATED',
    message: 'Auth error from APNS or Web Push Service',
  },
};

/** The current FCM v1 error codes (APNS_AUTH_ERROR is legacy, scripted on its own). */
export const CURRENT_FCM_ERROR_CODES = (
  Object.keys(FCM_ERROR_ANSWERS) as FcmErrorCodeName[]
).filter((code) => code !== 'APNS_AUTH_ERROR');

/** Test devices whose token starts with this are Apple devices (see the file comment). */
export const APPLE_TOKEN_PREFIX = 'ios-';

/** What the server does with one request. */
export type FcmScript =
  /** An FCM error in Google's format; `retryAfter` in seconds or as an HTTP-date. */
  | { kind: 'error'; code: FcmErrorCodeName; message?: string; retryAfter?: string | number }
  /** Any status and body (e.g. an HTML 502 from a proxy). */
  | {
      kind: 'raw';
      status: number;
      body: string;
      contentType?: string;
      retryAfter?: string | number;
    }
  /** Wait `ms`, then go on with the next rules (answer normally if none matches). */
  | { kind: 'delay'; ms: number }
  /** Never answer (the client's timeout must fire). */
  | { kind: 'hang' }
  /** Destroy the whole connection (TCP socket) without answering. */
  | { kind: 'drop' }
  /** Reset only this HTTP/2 stream (on HTTP/1.1: destroy the connection). */
  | { kind: 'reset' }
  /** RST_STREAM REFUSED_STREAM before processing (on HTTP/1.1: destroy the connection). */
  | { kind: 'refuse' }
  /**
   * GOAWAY whose last-stream-id is below this stream, so the client learns the stream was never
   * processed (on HTTP/1.1: destroy the connection).
   */
  | { kind: 'goaway-refuse' }
  /** Answer, then close the connection gracefully (HTTP/2 GOAWAY; HTTP/1.1 `connection: close`). */
  | { kind: 'goaway' }
  /** Answer normally. */
  | { kind: 'accept' };

export interface PushRequest {
  /** 1-based number of this messages:send request since start (or `resetCounters`). */
  n: number;
  projectId: string;
  message: Record<string, unknown>;
  validateOnly: boolean;
  httpVersion: '1.1' | '2';
  bearer: string | undefined;
  /** The `x-goog-user-project` header (quota project of user credentials), when sent. */
  userProject: string | undefined;
  receivedAt: number;
}

export interface AcceptedPush {
  name: string;
  /** The access token it came with (kept in memory for assertions, never printed). */
  bearer: string;
  /** The `x-goog-user-project` header, when sent. */
  userProject?: string;
  projectId: string;
  message: Record<string, unknown>;
  receivedAt: number;
  httpVersion: '1.1' | '2';
}

export type ScriptRule = (request: PushRequest) => FcmScript | undefined;

export interface FcmServerRules {
  /** Answers requests to `token` with `script` (`times` times, default every time). */
  forToken(token: string, script: FcmScript, times?: number): void;
  /** Answers the nth messages:send request (1-based, counted from start) with `script`. */
  forNth(n: number, script: FcmScript): void;
  /** A rule function; the first rule returning a script wins. */
  add(rule: ScriptRule): void;
  clear(): void;
}

export interface FcmServerOptions {
  port?: number;
  host?: string;
  /** Server-side delay before every answer, simulating FCM's latency. */
  rttMs?: number;
  /** Checks bearer tokens (e.g. the local metadata server's `isIssued`). */
  isTokenValid?: (token: string) => boolean;
  /** Accept any non-empty bearer token (the default when `isTokenValid` is not given). */
  acceptAnyToken?: boolean;
  /** HTTP/2 SETTINGS_MAX_CONCURRENT_STREAMS; FCM's front end allows 100. */
  maxConcurrentStreams?: number;
  /** Called for every accepted push (standalone mode prints it). */
  onAccepted?: (push: AcceptedPush) => void;
  /** Keep accepted pushes in `accepted` (default true; benchmarks turn it off to save memory). */
  record?: boolean;
}

export interface FcmServer {
  url: string;
  port: number;
  accepted: AcceptedPush[];
  /** validate_only requests that passed validation (not delivered, so not in `accepted`). */
  validated: PushRequest[];
  /** Tokens answered 404 UNREGISTERED. */
  unregistered: Set<string>;
  /** Tokens answered 400 INVALID_ARGUMENT "not a valid FCM registration token". */
  invalidTokens: Set<string>;
  /** Tokens of Apple devices, besides those starting with APPLE_TOKEN_PREFIX. */
  appleTokens: Set<string>;
  rules: FcmServerRules;
  /** messages:send requests received (any outcome). */
  readonly requestCount: number;
  /** Requests received over each protocol. */
  readonly requestsByHttpVersion: { '1.1': number; '2': number };
  /** Connections accepted so far. */
  readonly connectionCount: number;
  /** Most messages:send requests in progress at once (to check a client's concurrency bound). */
  readonly maxConcurrentRequests: number;
  setRttMs(ms: number): void;
  resetCounters(): void;
  close(): Promise<void>;
}

interface Answer {
  status: number;
  headers: Record<string, string>;
  body: string;
  /** Close the connection gracefully after this answer. */
  goaway?: boolean;
}
type Outcome =
  | Answer
  | { kind: 'hang' }
  | { kind: 'drop' }
  | { kind: 'reset' }
  | { kind: 'refuse' }
  | { kind: 'goaway-refuse' };

const SEND_PATH = /^\/v1\/projects\/([^/]+)\/messages:send$/;
const TOPIC_PATTERN = /^[a-zA-Z0-9\-_.~%]{1,900}$/;
const MAX_PAYLOAD_BYTES = 4096;
const MAX_TOPIC_PAYLOAD_BYTES = 2048;
const MAX_TTL_SECONDS = 2_419_200;
const RESERVED_KEYS = ['from', 'message_type'];
const RESERVED_PREFIXES = ['google.', 'gcm.notification.'];

function json(status: number, value: unknown, extra: Record<string, string> = {}): Answer {
  return {
    status,
    headers: { 'content-type': 'application/json; charset=UTF-8', ...extra },
    body: JSON.stringify(value),
  };
}

function errorAnswer(
  code: FcmErrorCodeName,
  message?: string,
  options: {
    retryAfter?: string | number;
    violations?: { field: string; description: string }[];
  } = {},
): Answer {
  const known = FCM_ERROR_ANSWERS[code];
  const details: Record<string, unknown>[] = [{ '@type': FCM_ERROR_TYPE, errorCode: code }];
  if (options.violations?.length) {
    details.push({ '@type': BAD_REQUEST_TYPE, fieldViolations: options.violations });
  }
  const extra: Record<string, string> =
    options.retryAfter !== undefined ? { 'retry-after': String(options.retryAfter) } : {};
  return json(
    known.httpStatus,
    {
      error: {
        code: known.httpStatus,
        message: message ?? known.message,
        status: known.status,
        details,
      },
    },
    extra,
  );
}

const UNAUTHENTICATED = json(
  401,
  {
    error: {
      code: 401,
      message:
        'Request had invalid authentication credentials. Expected OAuth 2 access token, login cookie or other valid authentication credential.',
      status: 'UNAUTHENTICATED',
    },
  },
  { 'www-authenticate': 'Bearer realm="https://accounts.google.com/"' },
);

type Json = Record<string, unknown>;
const isJson = (value: unknown): value is Json =>
  typeof value === 'object' && value !== null && !Array.isArray(value);

/**
 * FCM's documented rules, written independently of the client's validator (so a client bug is
 * not mirrored here). Sources: the v1 REST reference (projects.messages: `Message.data`,
 * `AndroidConfig.priority`), the ErrorCode reference (INVALID_ARGUMENT "Message too big") and
 * "Set the priority of a message" (data messages to Apple devices).
 */
function validate(
  message: Json,
  isAppleToken: (token: string) => boolean,
): { field: string; description: string }[] {
  const violations: { field: string; description: string }[] = [];
  const targets = ['token', 'topic', 'condition'].filter((key) => message[key] !== undefined);
  if (targets.length !== 1) {
    violations.push({ field: 'message', description: 'Exactly one of token, topic or condition' });
  }
  for (const key of targets) {
    if (typeof message[key] !== 'string' || message[key] === '') {
      violations.push({ field: `message.${key}`, description: 'Invalid value' });
    }
  }
  if (typeof message.topic === 'string' && !TOPIC_PATTERN.test(message.topic)) {
    violations.push({ field: 'message.topic', description: 'Invalid topic name' });
  }
  const checkData = (path: string, data: unknown): void => {
    if (data === undefined) return;
    if (!isJson(data)) {
      violations.push({ field: path, description: 'Invalid value (expected map<string,string>)' });
      return;
    }
    for (const [key, value] of Object.entries(data)) {
      if (typeof value !== 'string') {
        violations.push({ field: `${path}.${key}`, description: `Invalid value (TYPE_STRING)` });
      }
      if (RESERVED_KEYS.includes(key) || RESERVED_PREFIXES.some((p) => key.startsWith(p))) {
        violations.push({ field: `${path}.${key}`, description: `Invalid data key "${key}"` });
      }
    }
  };
  checkData('message.data', message.data);
  const android = isJson(message.android) ? message.android : undefined;
  if (android) {
    checkData('message.android.data', android.data);
    if (android.ttl !== undefined) {
      const match = typeof android.ttl === 'string' ? /^(\d+)(\.\d+)?s$/.exec(android.ttl) : null;
      if (!match || Number(match[1]) > MAX_TTL_SECONDS) {
        violations.push({ field: 'message.android.ttl', description: 'Invalid duration' });
      }
    }
    if (
      android.priority !== undefined &&
      !['normal', 'high', 'NORMAL', 'HIGH'].includes(android.priority as string)
    ) {
      violations.push({
        field: 'message.android.priority',
        description: `Invalid value at 'message.android.priority' (AndroidMessagePriority)`,
      });
    }
  }
  const webpush = isJson(message.webpush) ? message.webpush : undefined;
  if (webpush) checkData('message.webpush.data', webpush.data);

  const apns = isJson(message.apns) ? message.apns : {};
  const payload = isJson(apns.payload) ? apns.payload : {};
  const aps = isJson(payload.aps) ? payload.aps : {};
  const headers = isJson(apns.headers) ? apns.headers : {};
  const priority = Object.entries(headers).find(([k]) => k.toLowerCase() === 'apns-priority')?.[1];
  const dataOnlyForApple =
    message.notification === undefined && !['alert', 'sound', 'badge'].some((k) => k in aps);
  if (
    typeof message.token === 'string' &&
    isAppleToken(message.token) &&
    dataOnlyForApple &&
    priority === '10'
  ) {
    violations.push({
      field: 'message.apns.headers',
      description: 'Data messages to Apple devices must use apns-priority 5',
    });
  }

  if (violations.length === 0) {
    // One payload per platform: platform blocks override the common fields, they are not added
    // together. Measured as JSON of the common notification/data plus the platform's own payload.
    const common: Json = {};
    if (message.notification !== undefined) common.notification = message.notification;
    if (message.data !== undefined) common.data = message.data;
    const parts: Record<string, string[]> = {
      android: ['notification', 'data'],
      apns: ['payload', 'fcm_options'],
      webpush: ['notification', 'data', 'fcm_options'],
    };
    const limit =
      message.topic !== undefined || message.condition !== undefined
        ? MAX_TOPIC_PAYLOAD_BYTES
        : MAX_PAYLOAD_BYTES;
    for (const [platform, keys] of Object.entries(parts)) {
      const block = isJson(message[platform]) ? (message[platform] as Json) : {};
      const own = Object.fromEntries(
        keys.filter((k) => block[k] !== undefined).map((k) => [k, block[k]]),
      );
      const view = Object.keys(own).length > 0 ? { ...common, [platform]: own } : common;
      const bytes = Buffer.byteLength(JSON.stringify(view));
      if (bytes > limit) {
        violations.push({
          field: 'message',
          description: `Message is too big (${bytes} bytes for ${platform}, limit ${limit})`,
        });
        break;
      }
    }
  }
  return violations;
}

function headerValue(value: string | string[] | undefined): string | undefined {
  return Array.isArray(value) ? value.join(', ') : value;
}

/** `token:1a2b3c4d` - enough to tell devices apart in a log, useless to an attacker. */
export function shortTarget(message: Record<string, unknown>): string {
  if (typeof message.token === 'string') {
    return `token:${createHash('sha256').update(message.token).digest('hex').slice(0, 8)}`;
  }
  if (typeof message.topic === 'string') return `topic:${message.topic}`;
  if (typeof message.condition === 'string') return `condition:${message.condition}`;
  return 'no-target';
}

export async function startFcmServer(options: FcmServerOptions = {}): Promise<FcmServer> {
  let rttMs = options.rttMs ?? 0;
  const record = options.record ?? true;
  const isTokenValid =
    options.isTokenValid ?? (options.acceptAnyToken === false ? () => false : () => true);
  const accepted: AcceptedPush[] = [];
  const validated: PushRequest[] = [];
  const unregistered = new Set<string>();
  const invalidTokens = new Set<string>();
  const appleTokens = new Set<string>();
  const isAppleToken = (token: string): boolean =>
    token.startsWith(APPLE_TOKEN_PREFIX) || appleTokens.has(token);
  const rules: ScriptRule[] = [];
  const byHttpVersion = { '1.1': 0, '2': 0 };
  let requestCount = 0;
  let connectionCount = 0;
  let inFlight = 0;
  let maxInFlight = 0;
  let nextId = 1;

  const rulesApi: FcmServerRules = {
    forToken(token, script, times = Infinity) {
      let left = times;
      rules.push((req) => {
        if (left <= 0 || req.message.token !== token) return undefined;
        left -= 1;
        return script;
      });
    },
    forNth(n, script) {
      rules.push((req) => (req.n === n ? script : undefined));
    },
    add(rule) {
      rules.push(rule);
    },
    clear() {
      rules.length = 0;
    },
  };

  const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

  async function handle(
    ...args: [string, string, string | undefined, string, '1.1' | '2', string | undefined]
  ): Promise<Outcome> {
    inFlight += 1;
    maxInFlight = Math.max(maxInFlight, inFlight);
    try {
      return await answer(...args);
    } finally {
      inFlight -= 1;
    }
  }

  async function answer(
    method: string,
    path: string,
    authorization: string | undefined,
    body: string,
    httpVersion: '1.1' | '2',
    userProject: string | undefined,
  ): Promise<Outcome> {
    if (rttMs > 0) await sleep(rttMs);
    const route = SEND_PATH.exec(path.split('?')[0] ?? '');
    if (!route)
      return json(404, { error: { code: 404, message: 'Not Found', status: 'NOT_FOUND' } });
    if (method !== 'POST') {
      return json(405, {
        error: { code: 405, message: 'Method Not Allowed', status: 'UNIMPLEMENTED' },
      });
    }
    requestCount += 1;
    byHttpVersion[httpVersion] += 1;
    const n = requestCount;
    const bearer = /^Bearer (.+)$/i.exec(authorization ?? '')?.[1];
    if (!bearer || !isTokenValid(bearer)) return UNAUTHENTICATED;

    let parsed: { message?: unknown; validate_only?: unknown };
    try {
      parsed = JSON.parse(body) as typeof parsed;
    } catch {
      return errorAnswer('INVALID_ARGUMENT', 'Invalid JSON payload received.');
    }
    const message =
      typeof parsed.message === 'object' && parsed.message !== null
        ? (parsed.message as Record<string, unknown>)
        : undefined;
    if (!message) {
      return errorAnswer('INVALID_ARGUMENT', 'Request contains an invalid argument.', {
        violations: [{ field: 'message', description: 'Required' }],
      });
    }
    const request: PushRequest = {
      n,
      projectId: decodeURIComponent(route[1]!),
      message,
      validateOnly: parsed.validate_only === true,
      httpVersion,
      bearer,
      userProject,
      receivedAt: Date.now(),
    };

    let goaway = false;
    const finish = (result: Answer): Answer => (goaway ? { ...result, goaway } : result);
    for (const rule of rules) {
      const script = rule(request);
      if (!script || script.kind === 'accept') {
        if (script) break;
        continue;
      }
      if (script.kind === 'error') {
        return errorAnswer(script.code, script.message, { retryAfter: script.retryAfter });
      }
      if (script.kind === 'raw') {
        const headers: Record<string, string> = {
          'content-type': script.contentType ?? 'text/html',
        };
        if (script.retryAfter !== undefined) headers['retry-after'] = String(script.retryAfter);
        return { status: script.status, headers, body: script.body };
      }
      if (script.kind === 'delay') {
        await sleep(script.ms);
        continue;
      }
      if (script.kind === 'goaway') {
        goaway = true;
        continue;
      }
      return { kind: script.kind };
    }

    const violations = validate(message, isAppleToken);
    if (violations.length > 0) {
      return errorAnswer('INVALID_ARGUMENT', `Invalid message: ${violations[0]!.description}`, {
        violations,
      });
    }
    const token = typeof message.token === 'string' ? message.token : undefined;
    if (token !== undefined && invalidTokens.has(token)) {
      return errorAnswer(
        'INVALID_ARGUMENT',
        'The registration token is not a valid FCM registration token',
      );
    }
    if (token !== undefined && unregistered.has(token)) return errorAnswer('UNREGISTERED');
    if (request.validateOnly) {
      if (record) validated.push(request);
      return finish(json(200, { name: `projects/${request.projectId}/messages/fake_message_id` }));
    }
    const name = `projects/${request.projectId}/messages/0:${request.receivedAt}%${(nextId++).toString(16)}`;
    const push: AcceptedPush = {
      name,
      bearer,
      ...(userProject !== undefined ? { userProject } : {}),
      projectId: request.projectId,
      message,
      receivedAt: request.receivedAt,
      httpVersion,
    };
    if (record) accepted.push(push);
    options.onAccepted?.(push);
    return finish(json(200, { name }));
  }

  // HTTP/2 (h2c): the stream API, cheaper than the compatibility layer.
  const h2 = http2.createServer({
    settings: { maxConcurrentStreams: options.maxConcurrentStreams ?? 100 },
  });
  h2.on('stream', (stream, headers) => {
    const chunks: Buffer[] = [];
    stream.on('data', (chunk: Buffer) => chunks.push(chunk));
    stream.on('error', () => undefined);
    stream.on('end', () => {
      void handle(
        String(headers[':method']),
        String(headers[':path']),
        headers.authorization,
        Buffer.concat(chunks).toString('utf8'),
        '2',
        headerValue(headers['x-goog-user-project']),
      ).then((outcome) => {
        if (stream.destroyed || stream.closed) return;
        if ('kind' in outcome) {
          // session.socket is a guarded proxy; destroy the real socket, found by its port.
          if (outcome.kind === 'drop')
            socketsByPort.get(stream.session?.socket.remotePort)?.destroy();
          else if (outcome.kind === 'reset') stream.close(http2.constants.NGHTTP2_INTERNAL_ERROR);
          else if (outcome.kind === 'refuse') stream.close(http2.constants.NGHTTP2_REFUSED_STREAM);
          else if (outcome.kind === 'goaway-refuse') {
            // Every stream from this one on is declared unprocessed; the client must not wait.
            stream.session?.goaway(http2.constants.NGHTTP2_NO_ERROR, (stream.id ?? 1) - 2);
            stream.close(http2.constants.NGHTTP2_REFUSED_STREAM);
          }
          return; // hang: leave the stream open until the client gives up or we close.
        }
        stream.respond({ ':status': outcome.status, ...outcome.headers });
        stream.end(outcome.body);
        if (outcome.goaway) stream.session?.goaway(http2.constants.NGHTTP2_NO_ERROR);
      });
    });
  });
  h2.on('sessionError', () => undefined);

  const h1 = http.createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => {
      void handle(
        req.method ?? 'GET',
        req.url ?? '/',
        req.headers.authorization,
        Buffer.concat(chunks).toString('utf8'),
        '1.1',
        headerValue(req.headers['x-goog-user-project']),
      ).then((outcome) => {
        if (res.destroyed) return;
        if ('kind' in outcome) {
          if (outcome.kind !== 'hang') req.socket.destroy();
          return;
        }
        res.writeHead(
          outcome.status,
          outcome.goaway ? { ...outcome.headers, connection: 'close' } : outcome.headers,
        );
        res.end(outcome.body);
      });
    });
  });
  h1.keepAliveTimeout = 30_000;

  const sockets = new Set<net.Socket>();
  const socketsByPort = new Map<number | undefined, net.Socket>();
  const H2_PREFACE = Buffer.from('PRI * HTTP/2.0');
  const front = net.createServer((socket) => {
    connectionCount += 1;
    sockets.add(socket);
    const remotePort = socket.remotePort;
    socketsByPort.set(remotePort, socket);
    socket.on('close', () => {
      sockets.delete(socket);
      socketsByPort.delete(remotePort);
    });
    socket.on('error', () => undefined);
    let head = Buffer.alloc(0);
    const route = (chunk: Buffer): void => {
      head = Buffer.concat([head, chunk]);
      const n = Math.min(head.length, H2_PREFACE.length);
      const isH2 = head.subarray(0, n).equals(H2_PREFACE.subarray(0, n));
      if (isH2 && head.length < H2_PREFACE.length) return; // need more bytes to decide
      socket.off('data', route);
      socket.pause();
      socket.unshift(head);
      if (isH2) {
        // The HTTP/2 session reads the unshifted bytes itself; resuming here would race it.
        h2.emit('connection', socket);
      } else {
        h1.emit('connection', socket);
        socket.resume();
      }
    };
    socket.on('data', route);
  });

  await new Promise<void>((resolve) =>
    front.listen(options.port ?? 0, options.host ?? '127.0.0.1', resolve),
  );
  const port = (front.address() as net.AddressInfo).port;

  return {
    url: `http://127.0.0.1:${port}`,
    port,
    accepted,
    validated,
    unregistered,
    invalidTokens,
    appleTokens,
    rules: rulesApi,
    get requestCount() {
      return requestCount;
    },
    get requestsByHttpVersion() {
      return { ...byHttpVersion };
    },
    get connectionCount() {
      return connectionCount;
    },
    get maxConcurrentRequests() {
      return maxInFlight;
    },
    setRttMs(ms: number) {
      rttMs = ms;
    },
    resetCounters() {
      requestCount = 0;
      byHttpVersion['1.1'] = 0;
      byHttpVersion['2'] = 0;
      connectionCount = 0;
      maxInFlight = 0;
    },
    close: () =>
      new Promise<void>((resolve) => {
        for (const socket of sockets) socket.destroy();
        front.close(() => resolve());
      }),
  };
}

function argValue(name: string): string | undefined {
  const index = process.argv.indexOf(name);
  return index >= 0 ? process.argv[index + 1] : undefined;
}

if (require.main === module) {
  const quiet = process.argv.includes('--quiet');
  void startFcmServer({
    port: Number(argValue('--port') ?? 9299),
    host: argValue('--host') ?? '127.0.0.1',
    rttMs: Number(argValue('--rtt-ms') ?? 0),
    record: false,
    onAccepted: quiet
      ? undefined
      : (push) => {
          const notification = (push.message.notification ?? {}) as Record<string, unknown>;
          console.log(
            `push ${push.name} ${shortTarget(push.message)} title=${JSON.stringify(
              notification.title ?? '',
            )} body=${JSON.stringify(notification.body ?? '')}`,
          );
        },
  }).then((server) => {
    // First line is machine-readable for scripts that start us with --port 0.
    console.log(JSON.stringify({ event: 'fcm-server-ready', url: server.url, port: server.port }));
    const stop = (): void => void server.close().then(() => process.exit(0));
    process.on('SIGINT', stop);
    process.on('SIGTERM', stop);
  });
}
