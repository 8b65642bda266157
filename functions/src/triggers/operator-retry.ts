import { operatorActionCallable } from '../edge/operator-action-callable';
import { operatorRetry as operatorRetryUseCase } from '../use-cases/operator';

/** operatorRetry({ id }) -> { id, kind, from }: a failed/rejected/expired push, due now again. */
export const operatorRetry = operatorActionCallable(operatorRetryUseCase, {
  done: 'operator.retried',
  failed: 'operator.retry_failed',
});
