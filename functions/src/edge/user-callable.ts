/**
 * The wiring every user callable shares (registerToken, unregisterToken, setPushPreferences,
 * getPushPreferences): App Check and size options, settings, the caller, the per-user rate limit
 * and the one mapping of failures to HttpsError. A trigger file then only says which use case
 * runs and what it logs.
 */
import type { Firestore } from 'firebase-admin/firestore';
import { onCall } from 'firebase-functions/v2/https';
import { readSettings, type Settings } from '../config/params';
import { firestore } from '../adapters/firebase-app';
import { createRateLimitStore } from '../adapters/rate-limit-store';
import type { Caller } from '../use-cases/register-token';
import type { RateLimitStore } from '../use-cases/ports';
import { tokenCallableOptions } from './callable-options';
import { callerOf } from './caller';
import { toHttpsError } from './https-errors';

/** What the callables' use cases check before anything else. */
export interface CallerGuard {
  enforceAppCheck: boolean;
  rateLimits: RateLimitStore;
  tokenCallsPerMinute: number;
  now: () => number;
}

export interface CallableContext {
  settings: Settings;
  db: Firestore;
  guard: CallerGuard;
  caller: Caller | undefined;
  data: unknown;
  /** The signed-in user, for logs (never a token or a value the user sent). */
  uid: string | undefined;
}

export function userCallable<T>(
  failureEvent: string,
  handle: (ctx: CallableContext) => Promise<T>,
) {
  return onCall(tokenCallableOptions, async (request) => {
    try {
      const settings = readSettings();
      const db = firestore();
      return await handle({
        settings,
        db,
        guard: {
          enforceAppCheck: settings.enforceAppCheck,
          rateLimits: createRateLimitStore(db),
          tokenCallsPerMinute: settings.tokenCallsPerMinute,
          now: Date.now,
        },
        caller: callerOf(request),
        data: request.data,
        uid: request.auth?.uid,
      });
    } catch (err) {
      throw toHttpsError(err, failureEvent);
    }
  });
}
