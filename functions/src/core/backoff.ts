/**
 * Retry delay after a failed attempt: exponential from `baseMs`, capped, with "equal jitter"
 * (half fixed, half random) so retries from one burst spread out; never sooner than the server
 * asked (Retry-After). `random` is injected (0 <= random < 1).
 */
export const MAX_BACKOFF_MS = 60 * 60 * 1000;

export function retryDelayMs(
  attempt: number,
  options: { baseMs: number; random: number; retryAfterMs?: number; capMs?: number },
): number {
  const cap = options.capMs ?? MAX_BACKOFF_MS;
  const exponential = Math.min(cap, options.baseMs * 2 ** Math.max(attempt - 1, 0));
  const jittered = exponential / 2 + (exponential / 2) * options.random;
  return Math.max(Math.round(jittered), options.retryAfterMs ?? 0);
}
