/**
 * setPushPreferences / getPushPreferences: a signed-in user decides what they receive and when
 * (categories turned off, quiet hours, time zone, language), stored in pushPreferences/{uid}.
 *
 * The same gate as the token callables, in the same order: signed in (and App Check when
 * enforced), then the shared per-user rate limit, then the input. Unlike registration, a value
 * that cannot be used is refused (invalid-argument naming the field) and nothing is written: the
 * user is setting it on purpose.
 */
import { fail, valueOrFail } from '../core/errors';
import { isPlainObject } from '../core/parse';
import { answerOf, parsePreferenceChange, type PreferencesAnswer } from '../core/preferences';
import type { PreferenceStore } from './ports';
import { admitCaller, type Caller, type CallerPolicy, type CallLimit } from './register-token';

export type PreferenceDeps = { preferences: PreferenceStore } & CallerPolicy & CallLimit;

export type PreferenceCall = (
  deps: PreferenceDeps,
  caller: Caller | undefined,
  data: unknown,
) => Promise<PreferencesAnswer>;

export const setPushPreferences: PreferenceCall = async (deps, caller, data) => {
  const uid = await admitCaller(caller, deps, 'setting push preferences');
  const change = valueOrFail(parsePreferenceChange(data));
  return answerOf(valueOrFail(await deps.preferences.update(uid, change)));
};

/** The caller's preferences; every field present (`null` / `{}` where nothing is set). */
export const getPushPreferences: PreferenceCall = async (deps, caller, data) => {
  const uid = await admitCaller(caller, deps, 'reading push preferences');
  const empty =
    data === undefined || data === null || (isPlainObject(data) && !Object.keys(data).length);
  if (!empty) {
    return fail({
      kind: 'invalid-argument',
      field: '(data)',
      message: 'getPushPreferences takes no arguments (send {} or nothing).',
    });
  }
  return answerOf(await deps.preferences.get(uid));
};
