import { onCall } from 'firebase-functions/v2/https';
import * as logger from 'firebase-functions/logger';
import { readSettings } from '../config/params';
import { firestore } from '../adapters/firebase-app';
import { createPreferenceStore } from '../adapters/preference-store';
import { createRateLimitStore } from '../adapters/rate-limit-store';
import { setPushPreferences as setPushPreferencesUseCase } from '../use-cases/push-preferences';
import { tokenCallableOptions } from '../edge/callable-options';
import { toHttpsError } from '../edge/https-errors';
import { callerOf } from '../edge/caller';

/**
 * setPushPreferences({ categories?, quietHours?, timezone?, locale? })
 *   -> the stored preferences: { categories, quietHours, timezone, locale } (null where unset).
 */
export const setPushPreferences = onCall(tokenCallableOptions, async (request) => {
  try {
    const settings = readSettings();
    const db = firestore();
    const stored = await setPushPreferencesUseCase(
      {
        preferences: createPreferenceStore(db),
        enforceAppCheck: settings.enforceAppCheck,
        rateLimits: createRateLimitStore(db),
        tokenCallsPerMinute: settings.tokenCallsPerMinute,
        now: Date.now,
      },
      callerOf(request),
      request.data,
    );
    // Which fields were set, never their values (a time zone says where the user lives).
    logger.info('preferences.set', {
      uid: request.auth?.uid,
      fields: Object.keys((request.data as Record<string, unknown> | null) ?? {}),
      categoriesOff: Object.values(stored.categories).filter((on) => !on).length,
    });
    return stored;
  } catch (err) {
    throw toHttpsError(err, 'preferences.set_failed');
  }
});
