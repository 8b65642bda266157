import * as logger from 'firebase-functions/logger';
import { createTokenStore } from '../adapters/token-store';
import { registerToken as registerTokenUseCase } from '../use-cases/register-token';
import { userCallable } from '../edge/user-callable';

/**
 * registerToken({ token, platform, locale?, timezone?, appVersion? })
 *   -> { tokenId } or { tokenId, warnings: [{ field, message }] } when something was left out.
 */
export const registerToken = userCallable('token.register_failed', async (c) => {
  const saved = await registerTokenUseCase(
    { ...c.guard, tokens: createTokenStore(c.db), maxDevicesPerUser: c.settings.maxDevicesPerUser },
    c.caller,
    c.data,
  );
  logger.info('token.registered', {
    uid: c.uid,
    tokenId: saved.tokenId.slice(0, 12),
    removedByCap: saved.removedTokenIds.length,
    moved: saved.movedFromAnotherUser,
  });
  if (saved.warnings.length === 0) return { tokenId: saved.tokenId };
  // Field names only: the values are the device's and may be anything.
  logger.warn('token.metadata_ignored', {
    uid: c.uid,
    tokenId: saved.tokenId.slice(0, 12),
    fields: saved.warnings.map((w) => w.field),
  });
  return { tokenId: saved.tokenId, warnings: saved.warnings };
});
