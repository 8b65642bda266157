import { onCall } from 'firebase-functions/v2/https';
import { readSettings } from '../config/params';
import { firestore } from '../adapters/firebase-app';
import { createPreferenceStore } from '../adapters/preference-store';
import { createRateLimitStore } from '../adapters/rate-limit-store';
import { getPushPreferences as getPushPreferencesUseCase } from '../use-cases/push-preferences';
import { tokenCallableOptions } from '../edge/callable-options';
import { toHttpsError } from '../edge/https-errors';
import { callerOf } from '../edge/caller';

/** getPushPreferences() -> { categories, quietHours, timezone, locale } (null where unset). */
export const getPushPreferences = onCall(tokenCallableOptions, async (request) => {
  try {
    const settings = readSettings();
    const db = firestore();
    return await getPushPreferencesUseCase(
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
  } catch (err) {
    throw toHttpsError(err, 'preferences.get_failed');
  }
});
