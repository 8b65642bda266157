import { onCall } from 'firebase-functions/v2/https';
import * as logger from 'firebase-functions/logger';
import { readSettings } from '../config/params';
import { firestore } from '../adapters/firebase-app';
import { createTokenStore } from '../adapters/token-store';
import { createRateLimitStore } from '../adapters/rate-limit-store';
import { unregisterToken as unregisterTokenUseCase } from '../use-cases/register-token';
import { tokenCallableOptions } from '../edge/callable-options';
import { toHttpsError } from '../edge/https-errors';
import { callerOf } from '../edge/caller';

/** unregisterToken({ token }) -> {} whether or not the token was the caller's (reveals nothing). */
export const unregisterToken = onCall(tokenCallableOptions, async (request) => {
  try {
    const settings = readSettings();
    const db = firestore();
    const { removed } = await unregisterTokenUseCase(
      {
        tokens: createTokenStore(db),
        enforceAppCheck: settings.enforceAppCheck,
        rateLimits: createRateLimitStore(db),
        tokenCallsPerMinute: settings.tokenCallsPerMinute,
        now: Date.now,
      },
      callerOf(request),
      request.data,
    );
    logger.info('token.unregistered', { uid: request.auth?.uid, removed });
    return {};
  } catch (err) {
    throw toHttpsError(err, 'token.unregister_failed');
  }
});
