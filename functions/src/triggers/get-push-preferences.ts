import { createPreferenceStore } from '../adapters/preference-store';
import { getPushPreferences as getPushPreferencesUseCase } from '../use-cases/push-preferences';
import { userCallable } from '../edge/user-callable';

/** getPushPreferences() -> { categories, quietHours, timezone, locale } (null where unset). */
export const getPushPreferences = userCallable('preferences.get_failed', (c) =>
  getPushPreferencesUseCase(
    { ...c.guard, preferences: createPreferenceStore(c.db) },
    c.caller,
    c.data,
  ),
);
