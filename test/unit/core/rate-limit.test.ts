import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { decideRateLimit, type RateWindow } from '../../../functions/src/core/rate-limit';

const policy = { limit: 3, windowMs: 60_000 };
const T0 = Date.parse('2030-01-01T00:00:00Z');

describe('decideRateLimit (fixed window)', () => {
  it('when a user has no window yet, then the call is allowed and opens one at now', () => {
    const d = decideRateLimit(undefined, T0, policy);
    assert.deepEqual(d, { allowed: true, next: { windowStartMs: T0, count: 1 }, remaining: 2 });
  });

  it('when the window has room, then the call is counted in the same window', () => {
    const d = decideRateLimit({ windowStartMs: T0, count: 2 }, T0 + 59_999, policy);
    assert.deepEqual(d, { allowed: true, next: { windowStartMs: T0, count: 3 }, remaining: 0 });
  });

  it('when the limit is reached, then the call is denied with the seconds left in the window', () => {
    assert.deepEqual(decideRateLimit({ windowStartMs: T0, count: 3 }, T0 + 10_500, policy), {
      allowed: false,
      retryAfterSeconds: 50, // 49.5 s left, rounded up so a client retrying on time is let in
    });
    assert.deepEqual(decideRateLimit({ windowStartMs: T0, count: 3 }, T0 + 59_999, policy), {
      allowed: false,
      retryAfterSeconds: 1,
    });
  });

  it('when the window has passed, then a new one opens at now', () => {
    const d = decideRateLimit({ windowStartMs: T0, count: 3 }, T0 + 60_000, policy);
    assert.deepEqual(d, {
      allowed: true,
      next: { windowStartMs: T0 + 60_000, count: 1 },
      remaining: 2,
    });
  });

  it('when the limit is 0, then every call is denied', () => {
    assert.equal(decideRateLimit(undefined, T0, { ...policy, limit: 0 }).allowed, false);
  });

  it('when the stored window is corrupt, then it is replaced by a fresh one', () => {
    const bad = { windowStartMs: Number.NaN, count: 99 } as RateWindow;
    assert.deepEqual(decideRateLimit(bad, T0, policy), {
      allowed: true,
      next: { windowStartMs: T0, count: 1 },
      remaining: 2,
    });
  });

  it('when a window starts in the future (clock skew), then retryAfter never exceeds one window', () => {
    const d = decideRateLimit({ windowStartMs: T0 + 30_000, count: 3 }, T0, policy);
    assert.deepEqual(d, { allowed: false, retryAfterSeconds: 60 });
  });

  it('when any sequence of calls is replayed, then no window ever allows more than the limit', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 0, max: 20 }),
        fc.array(fc.integer({ min: 0, max: 30_000 }), { maxLength: 200 }),
        (limit, gaps) => {
          const p = { limit, windowMs: 60_000 };
          let state: RateWindow | undefined;
          let now = T0;
          const allowedPerWindow = new Map<number, number>();
          for (const gap of gaps) {
            now += gap;
            const d = decideRateLimit(state, now, p);
            if (d.allowed) {
              state = d.next;
              allowedPerWindow.set(
                d.next.windowStartMs,
                (allowedPerWindow.get(d.next.windowStartMs) ?? 0) + 1,
              );
              assert.ok(now < d.next.windowStartMs + p.windowMs);
            } else {
              assert.ok(d.retryAfterSeconds >= 1 && d.retryAfterSeconds <= 60);
            }
          }
          for (const n of allowedPerWindow.values()) assert.ok(n <= limit);
        },
      ),
    );
  });
});
