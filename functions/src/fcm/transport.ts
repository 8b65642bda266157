/**
 * The HTTP layer under the FCM client: POST a body, get status, headers and body back.
 *
 * - HTTP/2 (default): a small pool of sessions to the endpoint's origin, each carrying up to
 *   `maxStreamsPerSession` concurrent streams (FCM, like most Google front ends, allows 100), so
 *   thousands of sends share a few TCP connections. A session that receives GOAWAY takes no new
 *   streams (its in-flight streams finish); a closed or failed one is dropped and the next request
 *   opens a new one. `http://` origins speak h2c with prior knowledge (the local FCM server).
 * - Recovery: a request that times out retires its session (no new streams; destroyed once its
 *   last stream ends), so a silently dead connection costs one timeout per stream already on it,
 *   not one per request from then on. A stream the server refused (RST_STREAM REFUSED_STREAM) or
 *   that a GOAWAY declared unprocessed (id above its last-stream-id) never reached the
 *   application (RFC 9113 section 8.7: "the request has not been processed ... can be retried"),
 *   so it is replayed at once on another session, within the same request timeout: no attempt,
 *   no backoff, no duplicate.
 * - HTTP/1.1: a keep-alive agent, for proxies that cannot do HTTP/2.
 *
 * Failures before an answer are `TransportError`s: TIMEOUT (per request) or NETWORK_ERROR.
 */
import * as http from 'node:http';
import * as http2 from 'node:http2';
import * as https from 'node:https';

export interface HttpRequest {
  path: string;
  /** Lower-case header names. */
  headers: Record<string, string>;
  body: string;
  /** For the whole request, replays of unprocessed streams included. */
  timeoutMs: number;
  /** Asked before a replay starts; false stops it (the send's deadline has passed). */
  mayStart?: () => boolean;
}

export interface HttpResponse {
  status: number;
  headers: Record<string, string | undefined>;
  body: string;
}

export interface HttpTransport {
  post(request: HttpRequest): Promise<HttpResponse>;
  /** Closes pooled connections; in-flight requests finish or fail. */
  close(): Promise<void>;
}

export class TransportError extends Error {
  /** True when the server certainly did not process the request (refused or GOAWAY'd stream). */
  readonly unprocessed: boolean;
  constructor(
    readonly code: 'NETWORK_ERROR' | 'TIMEOUT',
    message: string,
    options?: { cause?: unknown; unprocessed?: boolean },
  ) {
    super(message, options);
    this.name = 'TransportError';
    this.unprocessed = options?.unprocessed ?? false;
  }
}

/** Replays of unprocessed streams per request, so a server refusing everything cannot loop us. */
export const MAX_UNPROCESSED_REPLAYS = 3;

function headerValue(value: string | string[] | number | undefined): string | undefined {
  if (value === undefined) return undefined;
  return Array.isArray(value) ? value.join(', ') : String(value);
}

export interface Http2TransportOptions {
  /** `https://fcm.googleapis.com` or `http://127.0.0.1:9299` (h2c). */
  origin: string;
  /** Concurrent streams per connection before another connection is opened (default 100). */
  maxStreamsPerSession?: number;
  /** Injectable for tests; defaults to `http2.connect`. */
  connect?: (origin: string, options: http2.SecureClientSessionOptions) => http2.ClientHttp2Session;
}

interface PooledSession {
  session: http2.ClientHttp2Session;
  active: number;
  /** False after GOAWAY, an error, a refused stream or a timeout: finish in-flight streams, start none. */
  usable: boolean;
  /** Set by a request timeout: destroy the session once its last stream ends. */
  suspect: boolean;
  /** The last-stream-id of a GOAWAY received: streams above it were not processed. */
  goawayLastStreamId?: number;
}

export function createHttp2Transport(options: Http2TransportOptions): HttpTransport {
  const origin = new URL(options.origin).origin;
  const maxStreams = options.maxStreamsPerSession ?? 100;
  const connect = options.connect ?? http2.connect;
  const pool: PooledSession[] = [];

  function open(): PooledSession {
    const session = connect(origin, { peerMaxConcurrentStreams: maxStreams });
    const entry: PooledSession = { session, active: 0, usable: true, suspect: false };
    const retire = (): void => {
      entry.usable = false;
    };
    session.on('goaway', (_code: number, lastStreamId: number) => {
      entry.goawayLastStreamId = lastStreamId;
      retire();
    });
    // Without a listener a failed connection would crash the process; streams report the failure.
    session.on('error', retire);
    session.on('close', () => {
      retire();
      const index = pool.indexOf(entry);
      if (index >= 0) pool.splice(index, 1);
    });
    pool.push(entry);
    return entry;
  }

  function capacity(entry: PooledSession): number {
    const remote = entry.session.remoteSettings?.maxConcurrentStreams;
    return remote === undefined ? maxStreams : Math.min(maxStreams, remote);
  }

  function acquire(): PooledSession {
    for (const entry of pool) {
      if (entry.usable && !entry.session.closed && !entry.session.destroyed) {
        if (entry.active < capacity(entry)) return entry;
      }
    }
    return open();
  }

  return {
    post(request: HttpRequest): Promise<HttpResponse> {
      return new Promise<HttpResponse>((resolve, reject) => {
        let settled = false;
        let replays = 0;
        let current: { entry: PooledSession; stream: http2.ClientHttp2Stream } | undefined;
        const fail = (error: TransportError): void => {
          if (settled) return;
          settled = true;
          clearTimeout(timer);
          reject(error);
        };
        const timer = setTimeout(() => {
          fail(new TransportError('TIMEOUT', `no answer within ${request.timeoutMs} ms`));
          if (current) {
            // The connection may be dead without a word: send nothing more on it.
            current.entry.usable = false;
            current.entry.suspect = true;
            current.stream.close(http2.constants.NGHTTP2_CANCEL);
          }
        }, request.timeoutMs);

        const start = (): void => {
          let entry: PooledSession;
          let stream: http2.ClientHttp2Stream;
          try {
            entry = acquire();
            stream = entry.session.request({
              ':method': 'POST',
              ':path': request.path,
              ...request.headers,
            });
          } catch (cause) {
            fail(
              new TransportError('NETWORK_ERROR', `HTTP/2 request failed: ${String(cause)}`, {
                cause,
              }),
            );
            return;
          }
          current = { entry, stream };
          entry.active += 1;
          let status = 0;
          let headers: Record<string, string | undefined> = {};
          let streamError: Error | undefined;
          const chunks: Buffer[] = [];
          stream.on('response', (responseHeaders) => {
            status = Number(responseHeaders[':status']);
            headers = {
              'retry-after': headerValue(responseHeaders['retry-after']),
              'content-type': headerValue(responseHeaders['content-type']),
            };
          });
          stream.on('data', (chunk: Buffer) => chunks.push(chunk));
          stream.on('end', () => {
            if (settled) return;
            if (status === 0) {
              fail(new TransportError('NETWORK_ERROR', 'stream ended without response headers'));
              return;
            }
            settled = true;
            clearTimeout(timer);
            resolve({ status, headers, body: Buffer.concat(chunks).toString('utf8') });
          });
          stream.on('error', (cause: Error) => {
            // Decided on 'close', which follows: the stream may only have been refused.
            streamError = cause;
          });
          stream.on('close', () => {
            entry.active -= 1;
            if (entry.suspect && entry.active === 0) entry.session.destroy();
            // Normal case: already settled by 'end'; do not build an Error (stack capture) for nothing.
            if (settled) return;
            const refused = stream.rstCode === http2.constants.NGHTTP2_REFUSED_STREAM;
            const afterGoaway =
              entry.goawayLastStreamId !== undefined &&
              status === 0 &&
              (stream.id === undefined || stream.id > entry.goawayLastStreamId);
            if (refused || afterGoaway) {
              entry.usable = false;
              const why = refused ? 'refused the stream' : 'sent GOAWAY before the stream';
              if (replays < MAX_UNPROCESSED_REPLAYS && (request.mayStart?.() ?? true)) {
                replays += 1;
                start();
                return;
              }
              fail(
                new TransportError('NETWORK_ERROR', `HTTP/2 server ${why} (not processed)`, {
                  cause: streamError,
                  unprocessed: true,
                }),
              );
              return;
            }
            fail(
              new TransportError(
                'NETWORK_ERROR',
                streamError
                  ? `HTTP/2 stream failed: ${streamError.message}`
                  : `HTTP/2 stream closed before the answer (code ${stream.rstCode ?? 'none'})`,
                { cause: streamError },
              ),
            );
          });
          stream.end(request.body);
        };
        start();
      });
    },
    async close(): Promise<void> {
      await Promise.all(
        pool.splice(0).map(
          (entry) =>
            new Promise<void>((resolve) => {
              if (entry.session.closed || entry.session.destroyed) return resolve();
              entry.session.close(() => resolve());
            }),
        ),
      );
    },
  };
}

export interface Http1TransportOptions {
  origin: string;
  /** Sockets kept open to the origin (the client's concurrency). */
  maxSockets?: number;
}

export function createHttp1Transport(options: Http1TransportOptions): HttpTransport {
  const url = new URL(options.origin);
  const secure = url.protocol === 'https:';
  const agentOptions = { keepAlive: true, maxSockets: options.maxSockets ?? 100 };
  const agent = secure ? new https.Agent(agentOptions) : new http.Agent(agentOptions);
  const requestFn = secure ? https.request : http.request;

  return {
    post(request: HttpRequest): Promise<HttpResponse> {
      return new Promise<HttpResponse>((resolve, reject) => {
        let settled = false;
        const fail = (error: TransportError): void => {
          if (settled) return;
          settled = true;
          clearTimeout(timer);
          reject(error);
        };
        const req = requestFn(
          {
            protocol: url.protocol,
            hostname: url.hostname,
            port: url.port,
            method: 'POST',
            path: request.path,
            headers: { ...request.headers, 'content-length': Buffer.byteLength(request.body) },
            agent,
          },
          (res) => {
            const chunks: Buffer[] = [];
            res.on('data', (chunk: Buffer) => chunks.push(chunk));
            res.on('end', () => {
              if (settled) return;
              settled = true;
              clearTimeout(timer);
              resolve({
                status: res.statusCode ?? 0,
                headers: {
                  'retry-after': headerValue(res.headers['retry-after']),
                  'content-type': headerValue(res.headers['content-type']),
                },
                body: Buffer.concat(chunks).toString('utf8'),
              });
            });
            res.on('error', (cause) =>
              fail(
                new TransportError('NETWORK_ERROR', `response failed: ${cause.message}`, { cause }),
              ),
            );
          },
        );
        const timer = setTimeout(() => {
          fail(new TransportError('TIMEOUT', `no answer within ${request.timeoutMs} ms`));
          req.destroy();
        }, request.timeoutMs);
        req.on('error', (cause) =>
          fail(new TransportError('NETWORK_ERROR', `request failed: ${cause.message}`, { cause })),
        );
        req.on('close', () => {
          if (!settled)
            fail(new TransportError('NETWORK_ERROR', 'connection closed before the answer'));
        });
        req.end(request.body);
      });
    },
    async close(): Promise<void> {
      agent.destroy();
    },
  };
}
