import { onCall } from 'firebase-functions/v2/https';
import * as logger from 'firebase-functions/logger';
import { readSettings } from '../config/params';
import { firestore } from '../adapters/firebase-app';
import { createTokenStore } from '../adapters/token-store';
import { createRateLimitStore } from '../adapters/rate-limit-store';
import { registerToken as registerTokenUseCase } from '../use-cases/register-token';
import { tokenCallableOptions } from '../edge/callable-options';
import { toHttpsError } from '../edge/https-errors';
import { callerOf } from '../edge/caller';

/**
 * registerToken({ token, platform, locale?, timezone?, appVersion? })
 *   -> { tokenId } or { tokenId, warnings: [{ field, message }] } when something was left out.
 */
export const registerToken = onCall(tokenCallableOptions, async (request) => {
  try {
    const settings = readSettings();
    const db = firestore();
    const saved = await registerTokenUseCase(
      {
        tokens: createTokenStore(db),
        maxDevicesPerUser: settings.maxDevicesPerUser,
        enforceAppCheck: settings.enforceAppCheck,
        rateLimits: createRateLimitStore(db),
        tokenCallsPerMinute: settings.tokenCallsPerMinute,
        now: Date.now,
      },
      callerOf(request),
      request.data,
    );
    logger.info('token.registered', {
      uid: request.auth?.uid,
      tokenId: saved.tokenId.slice(0, 12),
      removedByCap: saved.removedTokenIds.length,
      moved: saved.movedFromAnotherUser,
    });
    if (saved.warnings.length === 0) return { tokenId: saved.tokenId };
    // Field names only: the values are the device's and may be anything.
    logger.warn('token.metadata_ignored', {
      uid: request.auth?.uid,
      tokenId: saved.tokenId.slice(0, 12),
      fields: saved.warnings.map((w) => w.field),
    });
    return { tokenId: saved.tokenId, warnings: saved.warnings };
  } catch (err) {
    throw toHttpsError(err, 'token.register_failed');
  }
});
