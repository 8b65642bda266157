/**
 * What every callable shares, user (user-callable.ts) and operator (operator-callable.ts) alike:
 * the token callables' options, settings read per call, the caller, and the one mapping of
 * failures to HttpsError (`failureEvent` is what the log says when a failure is unexpected).
 */
import type { Firestore } from 'firebase-admin/firestore';
import { onCall, type CallableRequest } from 'firebase-functions/v2/https';
import { readSettings, type Settings } from '../config/params';
import { firestore } from '../adapters/firebase-app';
import type { Caller } from '../use-cases/register-token';
import { tokenCallableOptions } from './callable-options';
import { callerOf } from './caller';
import { toHttpsError } from './https-errors';

export interface CallContext {
  settings: Settings;
  db: Firestore;
  caller: Caller | undefined;
  data: unknown;
  /** The signed-in user, for logs (never a token or a value the user sent). */
  uid: string | undefined;
}

export function callable<T>(
  failureEvent: string,
  handle: (ctx: CallContext, request: CallableRequest) => Promise<T>,
) {
  return onCall(tokenCallableOptions, async (request) => {
    try {
      const settings = readSettings();
      return await handle(
        {
          settings,
          db: firestore(),
          caller: callerOf(request),
          data: request.data,
          uid: request.auth?.uid,
        },
        request,
      );
    } catch (err) {
      throw toHttpsError(err, failureEvent);
    }
  });
}
