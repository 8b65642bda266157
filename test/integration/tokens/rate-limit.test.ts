/**
 * The per-user limit of registerToken / unregisterToken against the Firestore emulator:
 * rateLimits/{uid} counted in a transaction, with a manual clock for the window.
 */
import { after, before, beforeEach, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { createTokenStore, PUSH_TOKENS } from '../../../functions/src/adapters/token-store';
import {
  createRateLimitStore,
  RATE_LIMITS,
} from '../../../functions/src/adapters/rate-limit-store';
import { DomainFailure, type DomainError } from '../../../functions/src/core/errors';
import { registerToken, unregisterToken } from '../../../functions/src/use-cases/register-token';
import { connectTestFirestore, type TestFirestore } from '../../support/emulated-firestore';
import { manualClock } from '../../support/manual-clock';

const alice = { uid: 'alice', appVerified: false };
const bob = { uid: 'bob', appVerified: false };
const LIMIT = 5;

async function domainError(p: Promise<unknown>): Promise<DomainError> {
  try {
    await p;
  } catch (err) {
    if (err instanceof DomainFailure) return err.error;
    throw err;
  }
  assert.fail('expected the call to be refused');
}

describe('token calls are rate limited per user (Firestore emulator)', () => {
  let fs: TestFirestore;
  let clock: ReturnType<typeof manualClock>;
  let deps: Parameters<typeof registerToken>[0];

  before(() => {
    fs = connectTestFirestore();
  });
  beforeEach(async () => {
    await fs.reset();
    clock = manualClock(Date.parse('2030-01-01T00:00:00Z'));
    deps = {
      tokens: createTokenStore(fs.db),
      maxDevicesPerUser: 100,
      enforceAppCheck: false,
      rateLimits: createRateLimitStore(fs.db),
      tokenCallsPerMinute: LIMIT,
      now: clock.now,
    };
  });
  after(() => fs.close());

  const register = (caller = alice, token = `t-${Math.random()}`) =>
    registerToken(deps, caller, { token, platform: 'android' });

  it('when a user goes over the limit, then the call is rate-limited with a retry time and writes no token', async () => {
    for (let i = 0; i < LIMIT; i++) await register(alice, `ok-${i}`);
    clock.advance(20_000);
    const err = await domainError(register(alice, 'one-too-many'));
    assert.equal(err.kind, 'rate-limited');
    assert.ok(err.kind === 'rate-limited' && err.retryAfterSeconds === 40, JSON.stringify(err));
    const tokens = await fs.db.collection(PUSH_TOKENS).get();
    assert.equal(tokens.size, LIMIT);
  });

  it('when register and unregister calls are mixed, then they share one limit', async () => {
    for (let i = 0; i < LIMIT - 1; i++) await register(alice, `mix-${i}`);
    await unregisterToken(deps, alice, { token: 'mix-0' });
    const err = await domainError(unregisterToken(deps, alice, { token: 'mix-1' }));
    assert.equal(err.kind, 'rate-limited');
  });

  it('when the input is garbage, then the call still counts against the caller (limit before validation)', async () => {
    for (let i = 0; i < LIMIT; i++) {
      const err = await domainError(registerToken(deps, alice, { nonsense: i }));
      assert.equal(err.kind, 'invalid-argument');
    }
    const err = await domainError(register(alice, 'valid-but-late'));
    assert.equal(err.kind, 'rate-limited');
  });

  it('when the caller is not signed in, then it is unauthenticated and no counter is written', async () => {
    const err = await domainError(
      registerToken(deps, undefined, { token: 'anon', platform: 'ios' }),
    );
    assert.equal(err.kind, 'unauthenticated');
    assert.equal((await fs.db.collection(RATE_LIMITS).get()).size, 0);
  });

  it('when the window has passed, then the user is allowed again', async () => {
    for (let i = 0; i < LIMIT; i++) await register(alice, `w1-${i}`);
    assert.equal((await domainError(register(alice))).kind, 'rate-limited');
    clock.advance(60_000);
    await register(alice, 'next-window');
    const doc = (await fs.db.collection(RATE_LIMITS).doc('alice').get()).data()!;
    assert.equal(doc.count, 1, 'a new window starts counting from one');
    assert.deepEqual(Object.keys(doc).sort(), ['count', 'expiresAt', 'windowStart']);
  });

  it('when one user is limited, then another user is not affected', async () => {
    for (let i = 0; i < LIMIT; i++) await register(alice, `a-${i}`);
    assert.equal((await domainError(register(alice))).kind, 'rate-limited');
    for (let i = 0; i < LIMIT; i++) await register(bob, `b-${i}`);
    assert.equal((await domainError(register(bob))).kind, 'rate-limited');
  });

  it('when many calls of one user race, then exactly the limit is allowed', async () => {
    // 4 x the limit from nothing. Google's emulator (1.19) deadlocks ~40 concurrent creates of one
    // document until their 60 s deadline; production Firestore does not, and 20 races enough.
    const calls = 4 * LIMIT;
    const results = await Promise.allSettled(
      Array.from({ length: calls }, (_, i) => register(alice, `race-${i}`)),
    );
    const allowed = results.filter((r) => r.status === 'fulfilled').length;
    const refused = results.flatMap((r) =>
      r.status === 'rejected' && r.reason instanceof DomainFailure ? [r.reason.error.kind] : [],
    );
    assert.equal(allowed, LIMIT);
    assert.deepEqual(
      refused,
      Array.from({ length: calls - LIMIT }, () => 'rate-limited'),
    );
    const doc = (await fs.db.collection(RATE_LIMITS).doc('alice').get()).data()!;
    assert.equal(doc.count, LIMIT);
    assert.equal((await fs.db.collection(PUSH_TOKENS).get()).size, LIMIT);
  });
});
