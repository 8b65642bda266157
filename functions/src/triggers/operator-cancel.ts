import { operatorActionCallable } from '../edge/operator-action-callable';
import { operatorCancel as operatorCancelUseCase } from '../use-cases/operator';

/** operatorCancel({ id }) -> { id, kind, from }: a pending notification or push ends cancelled. */
export const operatorCancel = operatorActionCallable(operatorCancelUseCase, {
  done: 'operator.cancelled',
  failed: 'operator.cancel_failed',
});
