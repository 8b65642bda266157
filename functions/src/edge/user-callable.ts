/**
 * The wiring every user callable shares (registerToken, unregisterToken, setPushPreferences,
 * getPushPreferences): App Check and size options, settings, the caller, the per-user rate limit
 * and the one mapping of failures to HttpsError (callable.ts). A trigger file then only says
 * which use case runs and what it logs.
 */
import { createRateLimitStore } from '../adapters/rate-limit-store';
import type { RateLimitStore } from '../use-cases/ports';
import { callable, type CallContext } from './callable';

/** What the callables' use cases check before anything else. */
export interface CallerGuard {
  enforceAppCheck: boolean;
  rateLimits: RateLimitStore;
  tokenCallsPerMinute: number;
  now: () => number;
}

export interface CallableContext extends CallContext {
  guard: CallerGuard;
}

export function userCallable<T>(
  failureEvent: string,
  handle: (ctx: CallableContext) => Promise<T>,
) {
  return callable(failureEvent, (ctx) =>
    handle({
      ...ctx,
      guard: {
        enforceAppCheck: ctx.settings.enforceAppCheck,
        rateLimits: createRateLimitStore(ctx.db),
        tokenCallsPerMinute: ctx.settings.tokenCallsPerMinute,
        now: Date.now,
      },
    }),
  );
}
