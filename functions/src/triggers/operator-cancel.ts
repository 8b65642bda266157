import * as logger from 'firebase-functions/logger';
import { createOperatorActionStore } from '../adapters/operator-actions';
import { operatorCallable } from '../edge/operator-callable';
import { operatorCancel as operatorCancelUseCase } from '../use-cases/operator';

/** operatorCancel({ id }) -> { id, kind, from }: a pending notification or push ends cancelled. */
export const operatorCancel = operatorCallable('operator.cancel_failed', async (c) => {
  const done = await operatorCancelUseCase(
    {
      ...c.policy,
      actions: (operator) =>
        createOperatorActionStore(c.db, {
          operator,
          retentionMs: c.settings.retentionMs,
          onStatsError: (error) => logger.warn('stats.write_failed', { error }),
        }),
    },
    c.caller,
    c.isOperator,
    c.data,
  );
  logger.info('operator.cancelled', { by: c.uid, ...done });
  return done;
});
