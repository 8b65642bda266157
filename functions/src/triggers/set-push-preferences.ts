import * as logger from 'firebase-functions/logger';
import { createPreferenceStore } from '../adapters/preference-store';
import { setPushPreferences as setPushPreferencesUseCase } from '../use-cases/push-preferences';
import { userCallable } from '../edge/user-callable';

/**
 * setPushPreferences({ categories?, quietHours?, timezone?, locale? })
 *   -> the stored preferences: { categories, quietHours, timezone, locale } (null where unset).
 */
export const setPushPreferences = userCallable('preferences.set_failed', async (c) => {
  const stored = await setPushPreferencesUseCase(
    { ...c.guard, preferences: createPreferenceStore(c.db) },
    c.caller,
    c.data,
  );
  // Which fields were set, never their values (a time zone says where the user lives).
  logger.info('preferences.set', {
    uid: c.uid,
    fields: Object.keys((c.data as Record<string, unknown> | null) ?? {}),
    categoriesOff: Object.values(stored.categories).filter((on) => !on).length,
  });
  return stored;
});
