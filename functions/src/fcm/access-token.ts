/**
 * OAuth access tokens for FCM, shared by every concurrent send.
 *
 * Modelled on google-auth-library's OAuth2Client: the cache starts expired, is refreshed ahead of
 * the token's *real* expiry (5 minutes before it, or half the lifetime for short-lived tokens),
 * one refresh is in flight at a time whatever the concurrency, and `invalidate()` lets the client
 * drop a token FCM rejected with 401 before replaying once.
 *
 * While a still-valid token is due for refresh, callers keep using it and one refresh runs in the
 * background, so sends never wait on the metadata server except for the very first token or after
 * expiry/invalidation.
 *
 * Every fetch is bounded by `fetchTimeoutMs` (the client's per-request timeout, FCM_TIMEOUT_MS,
 * by default 10 s), so a hung metadata server cannot hold a send longer than a request could.
 *
 * Quota project: user credentials (`gcloud auth application-default login`) are not a service
 * account of the project, so Google bills their API calls to a quota project named by the
 * `x-goog-user-project` header; without it FCM refuses them (403 "requires a quota project").
 * google-auth-library knows it (`quota_project_id` in the ADC file, or GOOGLE_CLOUD_QUOTA_PROJECT)
 * and adds the header in its own `getRequestHeaders`; since we attach the token ourselves, the
 * source reports it and the client sends the header. For user credentials without one, the project
 * we send to is used. Service accounts (Cloud Functions, key files, impersonation) need none.
 *
 * Tokens are never logged or put in error messages.
 */
import {
  GoogleAuth,
  OAuth2Client,
  UserRefreshClient,
  type GoogleAuthOptions,
} from 'google-auth-library';

export const FCM_SCOPE = 'https://www.googleapis.com/auth/firebase.messaging';

/** A freshly fetched access token and how long it stays valid. */
export interface FetchedAccessToken {
  token: string;
  /**
   * Remaining lifetime when fetched (ms); when unknown, the provider assumes `defaultLifetimeMs`.
   * Relative on purpose: the provider's injectable clock is then the only clock that matters.
   */
  expiresInMs?: number;
  /** Absolute expiry (epoch ms, by the provider's clock); used when `expiresInMs` is absent. */
  expiresAtMs?: number;
  /** The quota project to bill (`x-goog-user-project`), for user credentials. */
  quotaProjectId?: string;
}

/** Fetches a *new* token every call (the provider does the caching). */
export type AccessTokenSource = () => Promise<FetchedAccessToken>;

export interface AccessTokenProvider {
  /** A valid token; rejects with `AccessTokenError` when none can be obtained. */
  getToken(): Promise<string>;
  /**
   * Forgets `token` (FCM answered 401 with it) so the next `getToken` fetches a new one. A token
   * other than the cached one is ignored: a burst of 401s for one token causes one refresh.
   */
  invalidate(token: string): void;
  /** The quota project requests must name (`x-goog-user-project`), when the credentials need one. */
  quotaProjectId?(): string | undefined;
}

/** Raised when no access token can be obtained; the client turns it into an AUTH_ERROR outcome. */
export class AccessTokenError extends Error {
  readonly code = 'AUTH_ERROR';
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'AccessTokenError';
  }
}

export interface AccessTokenProviderOptions {
  source: AccessTokenSource;
  /** Clock (epoch ms); injectable for tests. */
  now?: () => number;
  /** Refresh this long before expiry at most (default 5 minutes, as google-auth-library). */
  refreshAheadMs?: number;
  /** Lifetime assumed when the source gives no expiry (default 1 hour, less the margin). */
  defaultLifetimeMs?: number;
  /** After a failed fetch, callers get the same error for this long instead of a new fetch each. */
  failureCooldownMs?: number;
  /** A fetch taking longer fails with AccessTokenError (default 10 s, FCM_TIMEOUT_MS's default). */
  fetchTimeoutMs?: number;
}

export const DEFAULT_FETCH_TIMEOUT_MS = 10_000;

/** `promise`, or a rejection after `ms`. */
function within<T>(promise: Promise<T>, ms: number, what: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`${what} took longer than ${ms} ms`)), ms);
  });
  return Promise.race([promise, timeout]).finally(() => clearTimeout(timer));
}

interface CachedToken {
  token: string;
  expiresAtMs: number;
  refreshAtMs: number;
}

export function createAccessTokenProvider(
  options: AccessTokenProviderOptions,
): AccessTokenProvider {
  const now = options.now ?? Date.now;
  const refreshAheadMs = options.refreshAheadMs ?? 5 * 60_000;
  const defaultLifetimeMs = options.defaultLifetimeMs ?? 55 * 60_000;
  const failureCooldownMs = options.failureCooldownMs ?? 1_000;
  const fetchTimeoutMs = options.fetchTimeoutMs ?? DEFAULT_FETCH_TIMEOUT_MS;

  let cached: CachedToken | undefined;
  let quotaProjectId: string | undefined;
  let inFlight: Promise<CachedToken> | undefined;
  let lastFailure: { error: AccessTokenError; atMs: number } | undefined;

  function refresh(): Promise<CachedToken> {
    if (inFlight) return inFlight;
    const attempt = (async () => {
      let fetched: FetchedAccessToken;
      try {
        fetched = await within(options.source(), fetchTimeoutMs, 'the token request');
      } catch (cause) {
        const reason = cause instanceof Error ? cause.message : String(cause);
        throw new AccessTokenError(`Could not get an FCM access token: ${reason}`, { cause });
      }
      if (typeof fetched.token !== 'string' || fetched.token === '') {
        throw new AccessTokenError('Could not get an FCM access token: the source returned none');
      }
      const fetchedAt = now();
      const lifetimeMs = Math.max(
        0,
        fetched.expiresInMs ??
          (fetched.expiresAtMs !== undefined ? fetched.expiresAtMs - fetchedAt : defaultLifetimeMs),
      );
      const expiresAtMs = fetchedAt + lifetimeMs;
      // Half the lifetime for short-lived tokens, so a 2-minute token is not refreshed at once.
      const margin = Math.min(refreshAheadMs, lifetimeMs / 2);
      quotaProjectId = fetched.quotaProjectId || undefined;
      return { token: fetched.token, expiresAtMs, refreshAtMs: expiresAtMs - margin };
    })();
    inFlight = attempt;
    attempt.then(
      (fresh) => {
        cached = fresh;
        lastFailure = undefined;
      },
      (error: AccessTokenError) => {
        lastFailure = { error, atMs: now() };
      },
    );
    // Clear after the handlers above so a caller woken by `attempt` sees the new cache.
    attempt
      .finally(() => {
        if (inFlight === attempt) inFlight = undefined;
      })
      .catch(() => undefined);
    return attempt;
  }

  return {
    async getToken(): Promise<string> {
      const at = now();
      if (cached && at < cached.expiresAtMs) {
        if (at >= cached.refreshAtMs && !inFlight && !coolingDown(at)) {
          // Background refresh; a failure is kept in lastFailure and the old token stays in use.
          refresh().catch(() => undefined);
        }
        return cached.token;
      }
      if (!inFlight && lastFailure && coolingDown(at)) throw lastFailure.error;
      return (await refresh()).token;
    },
    invalidate(token: string): void {
      if (cached?.token === token) cached = undefined;
    },
    quotaProjectId: () => quotaProjectId,
  };

  function coolingDown(at: number): boolean {
    return lastFailure !== undefined && at - lastFailure.atMs < failureCooldownMs;
  }
}

/**
 * Application Default Credentials through google-auth-library: the runtime service account
 * (metadata server, `Compute`) on Cloud Functions, a key file via GOOGLE_APPLICATION_CREDENTIALS
 * locally. Each call really fetches: the library's own cache would otherwise answer with its cached
 * token, and our provider already decided that a new one is needed.
 */
export function googleAuthTokenSource(
  auth: GoogleAuth = new GoogleAuth({ scopes: [FCM_SCOPE] }),
  options: { defaultQuotaProjectId?: string } = {},
): AccessTokenSource {
  return async () => {
    const client = await auth.getClient();
    // The library's own rule (quota_project_id, GOOGLE_CLOUD_QUOTA_PROJECT), else for user
    // credentials the project we send to: they cannot call FCM without one.
    const quotaProjectId =
      client.quotaProjectId ||
      (client instanceof UserRefreshClient ? options.defaultQuotaProjectId : undefined);
    const quota = quotaProjectId ? { quotaProjectId } : {};
    if (client instanceof OAuth2Client) {
      const { credentials } = await client.refreshAccessToken();
      if (!credentials.access_token) throw new Error('google-auth-library returned no token');
      return {
        token: credentials.access_token,
        expiresInMs: remaining(credentials.expiry_date),
        ...quota,
      };
    }
    // External-account and other clients: no forced refresh API; they cache by their own expiry.
    const { token } = await client.getAccessToken();
    if (!token) throw new Error('google-auth-library returned no token');
    return { token, expiresInMs: remaining(client.credentials.expiry_date), ...quota };
  };
}

/** google-auth-library stores an absolute `expiry_date` computed with `Date.now()`. */
function remaining(expiryDate: number | null | undefined): number | undefined {
  return typeof expiryDate === 'number' ? expiryDate - Date.now() : undefined;
}

export interface GoogleAccessTokenProviderOptions extends Omit<
  AccessTokenProviderOptions,
  'source'
> {
  /** A configured GoogleAuth; by default ADC with the FCM scope. */
  auth?: GoogleAuth;
  /** Options for the default GoogleAuth (e.g. `credentials`, `keyFilename`, `clientOptions`). */
  authOptions?: GoogleAuthOptions;
  /**
   * The project id, when known. Saves GoogleAuth's own project discovery, which outside Google
   * Cloud runs `gcloud config config-helper` (about a second) before the first token.
   */
  projectId?: string;
}

/** The production provider: ADC with the FCM scope. */
export function createGoogleAccessTokenProvider(
  options: GoogleAccessTokenProviderOptions = {},
): AccessTokenProvider {
  const { auth, authOptions, projectId, ...rest } = options;
  const googleAuth = auth ?? new GoogleAuth({ ...authOptions, scopes: [FCM_SCOPE], projectId });
  return createAccessTokenProvider({
    ...rest,
    source: googleAuthTokenSource(googleAuth, { defaultQuotaProjectId: projectId }),
  });
}
