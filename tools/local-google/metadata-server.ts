/**
 * A local GCE metadata server, enough for google-auth-library's `Compute` credentials (the path
 * Cloud Functions uses): point `GCE_METADATA_HOST` at it and the real library fetches real-looking
 * access tokens from here, expiry and refresh included.
 *
 * What google-auth-library 10 / gcp-metadata 8 request (see their sources):
 * - `GET /computeMetadata/v1/instance` - availability probe (`isAvailable`, unless
 *   METADATA_SERVER_DETECTION says otherwise); any 200 with `Metadata-Flavor: Google` will do.
 * - `GET /computeMetadata/v1/project/project-id` - project id when GCLOUD_PROJECT is unset.
 * - `GET /computeMetadata/v1/instance/service-accounts/default/token?scopes=...` - the token,
 *   `{access_token, expires_in, token_type}`.
 * - `GET /computeMetadata/v1/instance/service-accounts/default/email`, `universe/universe-domain`.
 * Every request must carry `Metadata-Flavor: Google` and every answer carries it back
 * (gcp-metadata rejects answers without it).
 *
 * Also `POST /token`, a stand-in for Google's OAuth token endpoint (oauth2.googleapis.com/token,
 * `grant_type=refresh_token`), for user credentials (`authorized_user`, what `gcloud auth
 * application-default login` writes): point a client's `endpoints.oauth2TokenUrl` here.
 *
 * Tokens are random strings the server remembers, so the local FCM server can check them.
 */
import { randomBytes } from 'node:crypto';
import * as http from 'node:http';
import type { AddressInfo } from 'node:net';
import { LOCAL_PROJECT_ID } from '../local-env/local-env';

export interface MetadataServerOptions {
  port?: number;
  host?: string;
  /** Default: the local project. */
  projectId?: string;
  serviceAccountEmail?: string;
  /** `expires_in` of issued tokens, seconds (default 3599, as the real server). */
  tokenLifetimeSeconds?: number;
}

export interface TokenRequest {
  at: number;
  scopes: string | undefined;
}

export interface MetadataServer {
  /** `127.0.0.1:<port>`, the value for GCE_METADATA_HOST. */
  host: string;
  url: string;
  port: number;
  /** Every token request received (including failed ones), in order. */
  readonly tokenRequests: readonly TokenRequest[];
  /** Requests by path, for assertions on what the library probes. */
  readonly requestsByPath: ReadonlyMap<string, number>;
  /** Tokens issued so far; `isIssued` is what the FCM server checks. */
  isIssued(token: string): boolean;
  /** Every token issued so far (e.g. to check that no log line contains one). */
  issuedTokens(): string[];
  /** Forgets a token, as if it were revoked. */
  revoke(token: string): void;
  /** The next `count` token requests answer `status` (default 403, which gaxios does not retry). */
  failNextTokenRequests(count: number, status?: number): void;
  /** The next `count` token requests are never answered (a hung metadata server). */
  hangNextTokenRequests(count: number): void;
  setTokenLifetimeSeconds(seconds: number): void;
  /** Resolves once `count` token requests in total have been answered. */
  waitForTokenRequests(count: number): Promise<void>;
  close(): Promise<void>;
}

const FLAVOR = { 'metadata-flavor': 'Google' };

export async function startMetadataServer(
  options: MetadataServerOptions = {},
): Promise<MetadataServer> {
  const projectId = options.projectId ?? LOCAL_PROJECT_ID;
  const email = options.serviceAccountEmail ?? `${projectId}@appspot.gserviceaccount.com`;
  let lifetimeSeconds = options.tokenLifetimeSeconds ?? 3599;
  const issued = new Set<string>();
  const tokenRequests: TokenRequest[] = [];
  const requestsByPath = new Map<string, number>();
  let failures: { remaining: number; status: number } = { remaining: 0, status: 403 };
  let hangs = 0;
  const waiters: Array<{ count: number; resolve: () => void }> = [];
  const notify = (): void => {
    for (const waiter of [...waiters]) {
      if (tokenRequests.length >= waiter.count) {
        waiters.splice(waiters.indexOf(waiter), 1);
        waiter.resolve();
      }
    }
  };

  const reply = (
    res: http.ServerResponse,
    status: number,
    body: string,
    type = 'text/plain',
  ): void => {
    res.writeHead(status, { ...FLAVOR, 'content-type': type });
    res.end(body);
  };

  const issue = (res: http.ServerResponse): void => {
    const token = `ya29.local-${randomBytes(24).toString('base64url')}`;
    issued.add(token);
    reply(
      res,
      200,
      JSON.stringify({ access_token: token, expires_in: lifetimeSeconds, token_type: 'Bearer' }),
      'application/json',
    );
  };

  const server = http.createServer((req, res) => {
    const url = new URL(req.url ?? '/', 'http://metadata');
    const path = url.pathname.replace(/\/+$/, '');
    requestsByPath.set(path, (requestsByPath.get(path) ?? 0) + 1);
    if (path === '/token' && req.method === 'POST') {
      // OAuth refresh-token grant, as for user credentials; no Metadata-Flavor here.
      tokenRequests.push({ at: Date.now(), scopes: undefined });
      res.on('finish', notify);
      req.resume();
      return void req.on('end', () => issue(res));
    }
    if (req.headers['metadata-flavor'] !== 'Google') {
      return reply(res, 403, 'Missing required header: Metadata-Flavor: Google');
    }
    const base = '/computeMetadata/v1';
    const account = `${base}/instance/service-accounts/(default|${email.replace(/[.]/g, '\\.')})`;
    if (new RegExp(`^${account}/token$`).test(path)) {
      tokenRequests.push({ at: Date.now(), scopes: url.searchParams.get('scopes') ?? undefined });
      res.on('finish', notify);
      if (hangs > 0) {
        hangs -= 1;
        return; // never answered; closeAllConnections() ends it
      }
      if (failures.remaining > 0) {
        failures.remaining -= 1;
        return reply(res, failures.status, 'local metadata server: scripted token failure');
      }
      return issue(res);
    }
    if (new RegExp(`^${account}/email$`).test(path)) return reply(res, 200, email);
    if (new RegExp(`^${account}/scopes$`).test(path)) {
      return reply(res, 200, 'https://www.googleapis.com/auth/cloud-platform');
    }
    if (path === `${base}/project/project-id`) return reply(res, 200, projectId);
    if (path === `${base}/project/numeric-project-id`) return reply(res, 200, '123456789012');
    if (path === `${base}/universe/universe-domain`) return reply(res, 200, 'googleapis.com');
    if (path === `${base}/instance`) {
      return reply(
        res,
        200,
        JSON.stringify({ id: 1, zone: 'projects/0/zones/local' }),
        'application/json',
      );
    }
    if (path === `${base}/instance/service-accounts`) return reply(res, 200, 'default/\n');
    return reply(res, 404, 'Not Found');
  });

  await new Promise<void>((resolve) =>
    server.listen(options.port ?? 0, options.host ?? '127.0.0.1', resolve),
  );
  const { port, address } = server.address() as AddressInfo;
  const host = `${address}:${port}`;

  return {
    host,
    url: `http://${host}`,
    port,
    tokenRequests,
    requestsByPath,
    isIssued: (token) => issued.has(token),
    issuedTokens: () => [...issued],
    revoke: (token) => void issued.delete(token),
    failNextTokenRequests(count, status = 403) {
      failures = { remaining: count, status };
    },
    hangNextTokenRequests(count) {
      hangs = count;
    },
    setTokenLifetimeSeconds(seconds) {
      lifetimeSeconds = seconds;
    },
    waitForTokenRequests(count) {
      if (tokenRequests.length >= count) return Promise.resolve();
      return new Promise<void>((resolve) => waiters.push({ count, resolve }));
    },
    close: () =>
      new Promise<void>((resolve, reject) => {
        server.closeAllConnections();
        server.close((error) => (error ? reject(error) : resolve()));
      }),
  };
}

if (require.main === module) {
  const portArg = process.argv.indexOf('--port');
  const port = portArg >= 0 ? Number(process.argv[portArg + 1]) : 0;
  void startMetadataServer({ port }).then((server) => {
    console.log(`local metadata server on ${server.url} (GCE_METADATA_HOST=${server.host})`);
  });
}
