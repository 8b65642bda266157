import * as logger from 'firebase-functions/logger';
import { createTokenStore } from '../adapters/token-store';
import { unregisterToken as unregisterTokenUseCase } from '../use-cases/register-token';
import { userCallable } from '../edge/user-callable';

/** unregisterToken({ token }) -> {} whether or not the token was the caller's (reveals nothing). */
export const unregisterToken = userCallable('token.unregister_failed', async (c) => {
  const { removed } = await unregisterTokenUseCase(
    { ...c.guard, tokens: createTokenStore(c.db) },
    c.caller,
    c.data,
  );
  logger.info('token.unregistered', { uid: c.uid, removed });
  return {};
});
