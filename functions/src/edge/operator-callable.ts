/**
 * The wiring every operator callable shares (operatorRetry, operatorCancel, operatorUserDevices,
 * operatorTestSend), beside user-callable.ts: the same options and App Check policy as the token
 * callables, settings, the caller and whether its ID token carries the operator claim, and the
 * one mapping of failures to HttpsError (callable.ts). The use cases (use-cases/operator.ts) check
 * the caller first, then the claim, then the input.
 */
import { isOperatorClaims } from '../core/operator';
import { callable, type CallContext } from './callable';

export interface OperatorCallableContext extends CallContext {
  /** What every operator use case checks first. */
  policy: { enforceAppCheck: boolean; now: () => number };
  /** Whether the caller's ID token has `operator: true` (core/operator.ts). */
  isOperator: boolean;
}

export function operatorCallable<T>(
  failureEvent: string,
  handle: (ctx: OperatorCallableContext) => Promise<T>,
) {
  return callable(failureEvent, (ctx, request) =>
    handle({
      ...ctx,
      policy: { enforceAppCheck: ctx.settings.enforceAppCheck, now: Date.now },
      isOperator: isOperatorClaims(request.auth?.token),
    }),
  );
}
