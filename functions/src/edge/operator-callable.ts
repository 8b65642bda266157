/**
 * The wiring every operator callable shares (operatorRetry, operatorCancel, operatorUserDevices,
 * operatorTestSend), beside user-callable.ts: the same options and App Check policy as the token
 * callables, settings, the caller and whether its ID token carries the operator claim, and the
 * one mapping of failures to HttpsError. The use cases (use-cases/operator.ts) check the caller
 * first, then the claim, then the input.
 */
import type { Firestore } from 'firebase-admin/firestore';
import { onCall } from 'firebase-functions/v2/https';
import { readSettings, type Settings } from '../config/params';
import { firestore } from '../adapters/firebase-app';
import { isOperatorClaims } from '../core/operator';
import type { Caller } from '../use-cases/register-token';
import { tokenCallableOptions } from './callable-options';
import { callerOf } from './caller';
import { toHttpsError } from './https-errors';

export interface OperatorCallableContext {
  settings: Settings;
  db: Firestore;
  /** What every operator use case checks first. */
  policy: { enforceAppCheck: boolean; now: () => number };
  caller: Caller | undefined;
  /** Whether the caller's ID token has `operator: true` (core/operator.ts). */
  isOperator: boolean;
  data: unknown;
  /** The signed-in user, for logs (never a token or a value the user sent). */
  uid: string | undefined;
}

export function operatorCallable<T>(
  failureEvent: string,
  handle: (ctx: OperatorCallableContext) => Promise<T>,
) {
  return onCall(tokenCallableOptions, async (request) => {
    try {
      const settings = readSettings();
      return await handle({
        settings,
        db: firestore(),
        policy: { enforceAppCheck: settings.enforceAppCheck, now: Date.now },
        caller: callerOf(request),
        isOperator: isOperatorClaims(request.auth?.token),
        data: request.data,
        uid: request.auth?.uid,
      });
    } catch (err) {
      throw toHttpsError(err, failureEvent);
    }
  });
}
