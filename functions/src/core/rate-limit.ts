/**
 * Per-user call limits as a fixed window counter: the first call opens a window of `windowMs`,
 * each allowed call counts, and once `limit` calls were allowed the rest of the window is denied.
 *
 * Why a fixed window (and not a sliding log or a token bucket): the state is two numbers, so the
 * `rateLimits/{uid}` document never grows whatever the traffic, one transaction read-modify-write
 * decides exactly (concurrent calls cannot overshoot), and the retry time is exact. Its known
 * weakness - up to 2 x limit calls across a window boundary - is acceptable for an abuse limit
 * whose job is to stop scripts, not to meter. Windows start at a user's first call (not on clock
 * minutes) so users do not all reset at once.
 *
 * Pure: the caller passes the stored state and `nowMs`, and stores `next` when the call is allowed.
 */

export interface RateWindow {
  /** Epoch ms when the current window opened. */
  windowStartMs: number;
  /** Calls allowed in that window so far. */
  count: number;
}

export interface RatePolicy {
  /** Calls allowed per window; 0 denies every call. */
  limit: number;
  windowMs: number;
}

export type RateDecision =
  | { allowed: true; next: RateWindow; remaining: number }
  | { allowed: false; retryAfterSeconds: number };

export const ONE_MINUTE_MS = 60_000;

export function decideRateLimit(
  current: RateWindow | undefined,
  nowMs: number,
  policy: RatePolicy,
): RateDecision {
  // A window from the future (clock skew between instances) is treated as the current one.
  const open =
    current !== undefined &&
    Number.isFinite(current.windowStartMs) &&
    Number.isFinite(current.count) &&
    nowMs < current.windowStartMs + policy.windowMs;
  const window: RateWindow = open ? current : { windowStartMs: nowMs, count: 0 };
  if (window.count >= policy.limit) {
    const waitMs = Math.min(policy.windowMs, window.windowStartMs + policy.windowMs - nowMs);
    // At least one second: a client told "retry after 0 s" would spin.
    return { allowed: false, retryAfterSeconds: Math.max(1, Math.ceil(waitMs / 1000)) };
  }
  const next = { windowStartMs: window.windowStartMs, count: window.count + 1 };
  return { allowed: true, next, remaining: policy.limit - next.count };
}
