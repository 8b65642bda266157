/**
 * operatorRetry and operatorCancel as callables: the use case with the CLI's own action store
 * (adapters/operator-actions.ts, the operator's uid as `by`), and one log line of what it did.
 */
import * as logger from 'firebase-functions/logger';
import { createOperatorActionStore } from '../adapters/operator-actions';
import type { OperatorAction } from '../use-cases/operator';
import { operatorCallable } from './operator-callable';

export function operatorActionCallable(
  action: OperatorAction,
  events: { done: string; failed: string },
) {
  return operatorCallable(events.failed, async (c) => {
    const done = await action(
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
    logger.info(events.done, { by: c.uid, ...done });
    return done;
  });
}
