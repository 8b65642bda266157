import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import {
  AccessTokenError,
  createAccessTokenProvider,
  type FetchedAccessToken,
} from '../../../functions/src/fcm/access-token';

const MINUTE = 60_000;

/** A token source whose answers the test releases one by one, with a fake clock. */
function harness(lifetimeMs = 60 * MINUTE) {
  let clock = 1_000_000;
  let issued = 0;
  const pending: Array<{ resolve: (t: FetchedAccessToken) => void; reject: (e: Error) => void }> =
    [];
  const provider = createAccessTokenProvider({
    now: () => clock,
    failureCooldownMs: 1_000,
    source: () => new Promise((resolve, reject) => pending.push({ resolve, reject })),
  });
  const h = {
    provider,
    get fetches() {
      return issued + pending.length;
    },
    advance(ms: number) {
      clock += ms;
    },
    /** Answers the oldest pending fetch with a new token valid for `lifetimeMs` from now. */
    issue(ms = lifetimeMs): string {
      const next = pending.shift();
      assert.ok(next, 'no fetch is pending');
      issued += 1;
      const token = `token-${issued}`;
      next.resolve({ token, expiresInMs: ms });
      return token;
    },
    /**
     * A fetched token: asked for, the fetch that call starts answered with a new token, and that
     * token received by the caller; returns it.
     */
    async fetchToken(): Promise<string> {
      const call = provider.getToken();
      await settle();
      const token = h.issue();
      assert.equal(await call, token);
      return token;
    },
    failNext(message: string) {
      const next = pending.shift();
      assert.ok(next, 'no fetch is pending');
      issued += 1;
      next.reject(new Error(message));
    },
  };
  return h;
}

/**
 * A provider on a clock the test sets, whose source answers `t1`, `t2`, … with the expiry
 * `expiry` gives for the time of the fetch, counting its fetches.
 */
function clocked(expiry: (nowMs: number) => Partial<FetchedAccessToken> = () => ({})) {
  let clock = 0;
  let fetches = 0;
  const provider = createAccessTokenProvider({
    now: () => clock,
    source: async () => ({ token: `t${++fetches}`, ...expiry(clock) }),
  });
  return {
    get fetches() {
      return fetches;
    },
    /** Sets the clock to `ms`, asks for a token and answers it. */
    tokenAt(ms: number): Promise<string> {
      clock = ms;
      return provider.getToken();
    },
  };
}

/** Lets promise callbacks run (no timers involved). */
const settle = () => new Promise<void>((resolve) => setImmediate(resolve));

describe('createAccessTokenProvider', () => {
  it('when first asked, then it fetches (the cache starts expired)', async () => {
    const h = harness();
    await h.fetchToken();
    assert.equal(h.fetches, 1);
  });

  it('when 1,000 callers ask at once, then one fetch serves them all', async () => {
    const h = harness();
    const all = Promise.all(Array.from({ length: 1000 }, () => h.provider.getToken()));
    await settle();
    assert.equal(h.fetches, 1);
    const token = h.issue();
    assert.deepEqual(new Set(await all), new Set([token]));
  });

  it('when the token is fresh, then it is served from the cache', async () => {
    const h = harness();
    const token = await h.fetchToken();
    h.advance(54 * MINUTE);
    assert.equal(await h.provider.getToken(), token);
    assert.equal(h.fetches, 1);
  });

  it('when 5 minutes are left, then one background refresh runs and callers keep the old token', async () => {
    const h = harness();
    const old = await h.fetchToken();
    h.advance(55 * MINUTE);
    const during = await Promise.all(Array.from({ length: 100 }, () => h.provider.getToken()));
    assert.deepEqual(new Set(during), new Set([old]));
    assert.equal(h.fetches, 2);
    const fresh = h.issue();
    await settle();
    assert.equal(await h.provider.getToken(), fresh);
    assert.equal(h.fetches, 2);
  });

  it('when a token lives 2 minutes, then it is refreshed at half its life, not at once', async () => {
    const h = harness(2 * MINUTE);
    await h.fetchToken();
    h.advance(59_000);
    await h.provider.getToken();
    assert.equal(h.fetches, 1);
    h.advance(1_000);
    await h.provider.getToken();
    assert.equal(h.fetches, 2);
  });

  it('when the token has expired, then callers wait for the new one', async () => {
    const h = harness();
    await h.fetchToken();
    h.advance(60 * MINUTE);
    await h.fetchToken();
    assert.equal(h.fetches, 2);
  });

  it('when the current token is invalidated, then the next call fetches a new one', async () => {
    const h = harness();
    const old = await h.fetchToken();
    h.provider.invalidate(old);
    const fresh = await h.fetchToken();
    assert.equal(h.fetches, 2);
    assert.notEqual(fresh, old);
  });

  it('when an old token is invalidated after a refresh, then the new one is kept', async () => {
    const h = harness();
    const old = await h.fetchToken();
    h.provider.invalidate(old);
    const fresh = await h.fetchToken();
    h.provider.invalidate(old); // a late 401 for the old token
    assert.equal(await h.provider.getToken(), fresh);
    assert.equal(h.fetches, 2);
  });

  it('when the fetch fails, then every waiting caller gets a clear AccessTokenError', async () => {
    const h = harness();
    const calls = Array.from({ length: 10 }, () => h.provider.getToken());
    await settle();
    h.failNext('metadata server said 403');
    for (const call of calls) {
      await assert.rejects(call, (error: unknown) => {
        assert.ok(error instanceof AccessTokenError);
        assert.equal(error.code, 'AUTH_ERROR');
        assert.equal(error.message, 'Could not get an FCM access token: metadata server said 403');
        return true;
      });
    }
    assert.equal(h.fetches, 1);
  });

  it('when a fetch has just failed, then callers get the same error until the cooldown ends', async () => {
    const h = harness();
    const first = h.provider.getToken();
    await settle();
    h.failNext('down');
    await assert.rejects(first, AccessTokenError);
    await assert.rejects(h.provider.getToken(), /down/);
    assert.equal(h.fetches, 1);
    h.advance(1_000);
    await h.fetchToken();
    assert.equal(h.fetches, 2);
  });

  it('when a background refresh fails, then the still-valid token stays in use', async () => {
    const h = harness();
    const old = await h.fetchToken();
    h.advance(56 * MINUTE);
    assert.equal(await h.provider.getToken(), old);
    h.failNext('blip');
    await settle();
    assert.equal(await h.provider.getToken(), old);
  });

  it('when the source returns an empty token, then it is an error, not a cached empty token', async () => {
    const provider = createAccessTokenProvider({
      source: async () => ({ token: '' }),
      failureCooldownMs: 0,
    });
    await assert.rejects(provider.getToken(), /returned none/);
  });

  it('when the source gives an absolute expiry, then the refresh is planned from it', async () => {
    const h = clocked((nowMs) => ({ expiresAtMs: nowMs + 20 * MINUTE }));
    await h.tokenAt(0);
    await h.tokenAt(15 * MINUTE - 1);
    assert.equal(h.fetches, 1);
    await h.tokenAt(15 * MINUTE);
    assert.equal(h.fetches, 2);
  });

  it('when the source gives no expiry, then a default lifetime is assumed', async () => {
    const h = clocked();
    assert.equal(await h.tokenAt(0), 't1');
    assert.equal(await h.tokenAt(49 * MINUTE), 't1');
    assert.equal(h.fetches, 1);
    await h.tokenAt(55 * MINUTE);
    assert.equal(h.fetches, 2);
  });

  it('when the source never answers, then the fetch fails after fetchTimeoutMs with an AccessTokenError', async () => {
    let fetches = 0;
    const provider = createAccessTokenProvider({
      fetchTimeoutMs: 30,
      failureCooldownMs: 0,
      source: () => {
        fetches += 1;
        return fetches === 1
          ? new Promise<FetchedAccessToken>(() => undefined)
          : Promise.resolve({ token: 'late' });
      },
    });
    await assert.rejects(
      provider.getToken(),
      (error: unknown) =>
        error instanceof AccessTokenError && /took longer than 30 ms/.test(error.message),
    );
    // The next call fetches again (nothing stays stuck on the hung fetch).
    assert.equal(await provider.getToken(), 'late');
  });

  it('when the source names a quota project, then the provider reports it for x-goog-user-project', async () => {
    const provider = createAccessTokenProvider({
      source: async () => ({ token: 't', quotaProjectId: 'billing-project' }),
    });
    assert.equal(provider.quotaProjectId?.(), undefined, 'unknown before the first fetch');
    await provider.getToken();
    assert.equal(provider.quotaProjectId?.(), 'billing-project');
  });
});
