import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { MAX_BACKOFF_MS, retryDelayMs } from '../../../functions/src/core/backoff';

describe('retryDelayMs', () => {
  it('when attempts grow, then the delay doubles within its jitter band', () => {
    for (const [attempt, full] of [
      [1, 1000],
      [2, 2000],
      [3, 4000],
    ]) {
      assert.equal(retryDelayMs(attempt, { baseMs: 1000, random: 0 }), full / 2);
      assert.equal(retryDelayMs(attempt, { baseMs: 1000, random: 0.999999 }), full);
    }
  });
  it('when many attempts failed, then the delay is capped at one hour', () => {
    assert.equal(retryDelayMs(40, { baseMs: 30_000, random: 0 }), MAX_BACKOFF_MS / 2);
    const top = retryDelayMs(40, { baseMs: 30_000, random: 0.999999 });
    assert.ok(top <= MAX_BACKOFF_MS && top > MAX_BACKOFF_MS - 10, String(top));
  });
  it('when the server asked for more (Retry-After), then its wait is honoured', () => {
    assert.equal(retryDelayMs(1, { baseMs: 1000, random: 0.5, retryAfterMs: 120_000 }), 120_000);
  });
  it('when Retry-After is shorter than the backoff, then the backoff stands', () => {
    assert.equal(retryDelayMs(3, { baseMs: 1000, random: 0, retryAfterMs: 10 }), 2000);
  });
});
