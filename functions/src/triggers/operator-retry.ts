import * as logger from 'firebase-functions/logger';
import { createOperatorActionStore } from '../adapters/operator-actions';
import { operatorCallable } from '../edge/operator-callable';
import { operatorRetry as operatorRetryUseCase } from '../use-cases/operator';

/** operatorRetry({ id }) -> { id, kind, from }: a failed/rejected/expired push, due now again. */
export const operatorRetry = operatorCallable('operator.retry_failed', async (c) => {
  const done = await operatorRetryUseCase(
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
  logger.info('operator.retried', { by: c.uid, ...done });
  return done;
});
