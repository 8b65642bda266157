import * as logger from 'firebase-functions/logger';
import { operatorCallable } from '../edge/operator-callable';
import { deliverImmediately } from '../edge/deliver-immediately';
import { checkPathDeps } from '../edge/production-deps';
import { operatorTestSend as operatorTestSendUseCase } from '../use-cases/operator';

/**
 * operatorTestSend({ to: {uid}|{token}, title?, content?, image?, validateOnly })
 *   -> { validateOnly: true, devices } (FCM validate_only; nothing written)
 *   |  { validateOnly: false, id, kind } (queued due now, then delivered like an outbox request).
 */
export const operatorTestSend = operatorCallable('operator.test_send_failed', async (c) => {
  const deps = checkPathDeps(c.settings);
  const { answer, queued } = await operatorTestSendUseCase(
    { ...deps, ...c.policy },
    c.caller,
    c.isOperator,
    c.data,
  );
  if (!answer.validateOnly && queued) {
    logger.info('operator.test_queued', { by: c.uid, id: answer.id, kind: answer.kind });
    // As the outbox trigger: send now; if that fails the drain sends it on its next tick.
    await deliverImmediately(deps, queued.result.dueNow, c.settings, queued.eventId);
    await Promise.all(deps.pendingStats);
  } else if (answer.validateOnly) {
    logger.info('operator.test_validated', {
      by: c.uid,
      devices: answer.devices.length,
      valid: answer.devices.filter((d) => d.ok).length,
    });
  }
  return answer;
});
