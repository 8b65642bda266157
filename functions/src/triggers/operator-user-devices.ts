import * as logger from 'firebase-functions/logger';
import { createTokenStore } from '../adapters/token-store';
import { operatorCallable } from '../edge/operator-callable';
import { operatorUserDevices as operatorUserDevicesUseCase } from '../use-cases/operator';

/**
 * operatorUserDevices({ uid }) -> { uid, devices: [{ tokenId, token (shortened), platform, ... }] }.
 * Full tokens never leave the function.
 */
export const operatorUserDevices = operatorCallable('operator.devices_failed', async (c) => {
  const answer = await operatorUserDevicesUseCase(
    { ...c.policy, tokens: createTokenStore(c.db) },
    c.caller,
    c.isOperator,
    c.data,
  );
  logger.info('operator.devices_listed', { by: c.uid, devices: answer.devices.length });
  return answer;
});
