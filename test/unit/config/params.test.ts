/**
 * params.ts builds its firebase-functions params from the table of defaults.ts, and readSettings()
 * reads them as the Functions runtime sets them (process.env) and checks them.
 */
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import {
  DEFAULTS,
  PARAM_NAMES,
  PARAM_SPECS,
  defaultParamEnv,
  describeRange,
} from '../../../functions/src/config/defaults';
import { PARAMS, readSettings, SettingsError } from '../../../functions/src/config/params';
import { settingsFrom } from '../../../functions/src/config/settings';
import { setEnv, useSavedEnv } from '../../support/param-env';

describe('params built from defaults.ts', () => {
  it('when a param is defined, then its name, default and description come from the table', () => {
    assert.deepEqual(Object.keys(PARAMS), PARAM_NAMES);
    for (const name of PARAM_NAMES) {
      const param = PARAMS[name];
      assert.equal(param.name, name);
      assert.equal(param.options.default, DEFAULTS[name], name);
      const description = param.options.description ?? '';
      assert.ok(description.startsWith(PARAM_SPECS[name].description), name);
      assert.ok(description.includes(describeRange(PARAM_SPECS[name])), `${name} shows its range`);
    }
    assert.match(PARAMS.TOKEN_CALLS_PER_MINUTE.options.description ?? '', /0 = refuse every call/);
  });
});

describe('readSettings (values from the environment, as the Functions runtime sets them)', () => {
  useSavedEnv(PARAM_NAMES);

  it('when every param is set to its default, then the settings are those of the defaults', () => {
    setEnv(defaultParamEnv());
    assert.deepEqual(readSettings(), settingsFrom(DEFAULTS));
  });

  it('when a param is missing from the environment, then reading fails naming it', () => {
    setEnv({ ...defaultParamEnv(), DRAIN_TIME_BUDGET_SECONDS: undefined });
    assert.throws(readSettings, (err: unknown) => {
      assert.ok(err instanceof SettingsError);
      assert.deepEqual(err.problems, [
        'DRAIN_TIME_BUDGET_SECONDS=0 is out of range: 1..540 seconds (a missing value reads as 0)',
      ]);
      return true;
    });
  });

  it('when ENFORCE_APP_CHECK is neither true nor false, then reading fails instead of reading false', () => {
    setEnv({ ...defaultParamEnv(), ENFORCE_APP_CHECK: 'yes' });
    assert.throws(readSettings, /ENFORCE_APP_CHECK="yes" is not allowed: true or false/);
    setEnv({ ENFORCE_APP_CHECK: 'true' });
    assert.equal(readSettings().enforceAppCheck, true);
  });
});
