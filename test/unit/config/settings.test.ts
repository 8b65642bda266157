/**
 * Settings are checked against their documented ranges when read (validateSettings, pure: no
 * firebase-functions), so a misconfigured deploy fails at its first invocation naming the param.
 */
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import {
  DEFAULTS,
  PARAM_NAMES,
  PARAM_SPECS,
  type ParamSpec,
} from '../../../functions/src/config/defaults';
import {
  SettingsError,
  settingsFrom,
  validateSettings,
} from '../../../functions/src/config/settings';

function problems(raw: Record<string, unknown>): string[] {
  try {
    validateSettings(raw);
  } catch (err) {
    assert.ok(err instanceof SettingsError, String(err));
    assert.ok(err.message.includes(err.problems[0]!), 'the message lists the problems');
    return err.problems;
  }
  return [];
}

describe('validateSettings', () => {
  it('when every param has its default, then the defaults are valid and come back typed', () => {
    assert.deepEqual(validateSettings(DEFAULTS), DEFAULTS);
  });

  it('when the drain budget is 0, then the error names the param, its value and the range', () => {
    assert.deepEqual(problems({ ...DEFAULTS, DRAIN_TIME_BUDGET_SECONDS: 0 }), [
      'DRAIN_TIME_BUDGET_SECONDS=0 is out of range: 1..540 seconds (a missing value reads as 0)',
    ]);
  });

  it('when a value is missing (firebase-functions reads a missing int as 0), then it is out of range where 0 is not allowed', () => {
    const missing = Object.fromEntries(
      PARAM_NAMES.filter((n) => PARAM_SPECS[n].type === 'int').map((n) => [n, 0]),
    );
    const found = problems({ ...DEFAULTS, ...missing });
    const zeroAllowed = PARAM_NAMES.filter((n) => {
      const spec: ParamSpec = PARAM_SPECS[n];
      return spec.type === 'int' && spec.min <= 0;
    });
    // A missing spread reads as 0: deferred pushes go when quiet hours end, which is harmless.
    assert.deepEqual(zeroAllowed, ['TOKEN_CALLS_PER_MINUTE', 'QUIET_HOURS_SPREAD_MINUTES']);
    assert.equal(found.length, Object.keys(missing).length - zeroAllowed.length);
    for (const line of found) assert.match(line, /^[A-Z_]+=0 is out of range: \d+\.\.\d+ /);
  });

  it('when TOKEN_CALLS_PER_MINUTE is 0, then it is valid: its documented meaning is "refuse every call"', () => {
    assert.equal(
      validateSettings({ ...DEFAULTS, TOKEN_CALLS_PER_MINUTE: 0 }).TOKEN_CALLS_PER_MINUTE,
      0,
    );
    const spec: ParamSpec = PARAM_SPECS.TOKEN_CALLS_PER_MINUTE;
    assert.ok(spec.type === 'int' && spec.special?.[0]?.includes('refuse every call'));
  });

  it('when a value is just outside either bound, then it is refused; on the bound it is accepted', () => {
    for (const name of PARAM_NAMES) {
      const spec: ParamSpec = PARAM_SPECS[name];
      if (spec.type !== 'int') continue;
      assert.equal(problems({ ...DEFAULTS, [name]: spec.min }).length, 0, `${name}=${spec.min}`);
      assert.equal(problems({ ...DEFAULTS, [name]: spec.max }).length, 0, `${name}=${spec.max}`);
      assert.deepEqual(problems({ ...DEFAULTS, [name]: spec.max + 1 }), [
        `${name}=${spec.max + 1} is out of range: ${spec.min}..${spec.max} ${spec.unit}`,
      ]);
      assert.equal(problems({ ...DEFAULTS, [name]: spec.min - 1 }).length, 1, `${name} below`);
    }
  });

  it('when several values are wrong, then one error lists each of them', () => {
    const found = problems({
      ...DEFAULTS,
      DRAIN_BATCH_SIZE: 501,
      MAX_ATTEMPTS: 0,
      FCM_TIMEOUT_MS: 1.5,
    });
    assert.deepEqual(found, [
      'DRAIN_BATCH_SIZE=501 is out of range: 1..500 pushes',
      'MAX_ATTEMPTS=0 is out of range: 1..100 attempts (a missing value reads as 0)',
      'FCM_TIMEOUT_MS=1.5 is not a whole number: 1000..60000 ms',
    ]);
  });

  it('when a boolean comes as text, then true/false are read and anything else is refused', () => {
    assert.equal(
      validateSettings({ ...DEFAULTS, ENFORCE_APP_CHECK: 'true' }).ENFORCE_APP_CHECK,
      true,
    );
    assert.equal(
      validateSettings({ ...DEFAULTS, ENFORCE_APP_CHECK: 'false' }).ENFORCE_APP_CHECK,
      false,
    );
    assert.deepEqual(problems({ ...DEFAULTS, ENFORCE_APP_CHECK: 'yes' }), [
      'ENFORCE_APP_CHECK="yes" is not allowed: true or false',
    ]);
  });

  it('when a string param does not look like its kind, then it is refused with the rule', () => {
    assert.deepEqual(problems({ ...DEFAULTS, PUSH_REGION: '' }), [
      'PUSH_REGION="" is not allowed: a Cloud Functions region id such as asia-northeast3 or us-central1',
    ]);
    assert.equal(problems({ ...DEFAULTS, PUSH_REGION: 'us-central1' }).length, 0);
    assert.equal(problems({ ...DEFAULTS, FCM_ENDPOINT: 'fcm.googleapis.com' }).length, 1);
    assert.equal(problems({ ...DEFAULTS, FCM_ENDPOINT: 'http://127.0.0.1:9290' }).length, 0);
    assert.equal(problems({ ...DEFAULTS, FCM_ENDPOINT: 'https://proxy.example/fcm/' }).length, 0);
  });

  it('when every default is checked against its own range, then each lies inside it', () => {
    for (const name of PARAM_NAMES) {
      const spec: ParamSpec = PARAM_SPECS[name];
      if (spec.type === 'int')
        assert.ok(spec.min <= spec.default && spec.default <= spec.max, name);
      if (spec.type === 'string') assert.match(spec.default, spec.pattern, name);
      assert.ok(spec.description.length > 10, `${name} has a description`);
    }
  });
});

describe('settingsFrom', () => {
  it('when the defaults are read, then units are converted and the new settings are derived', () => {
    const s = settingsFrom(DEFAULTS);
    assert.equal(s.drainTimeBudgetMs, 50_000);
    assert.equal(s.backoffBaseMs, 30_000);
    assert.equal(s.retentionMs, 30 * 86_400_000);
    assert.equal(s.maxEventAgeMs, 3_600_000);
    assert.equal(s.fcmEndpoint, 'https://fcm.googleapis.com');
    assert.equal(s.enforceAppCheck, false);
  });
  it('when the endpoint ends with slashes, then they are dropped', () => {
    assert.equal(
      settingsFrom({ ...DEFAULTS, FCM_ENDPOINT: 'http://127.0.0.1:9290//' }).fcmEndpoint,
      'http://127.0.0.1:9290',
    );
  });
  it('when a value is out of range, then no settings are built', () => {
    assert.throws(
      () => settingsFrom({ ...DEFAULTS, RETENTION_DAYS: 0 }),
      /RETENTION_DAYS=0 is out of range: 1\.\.3650 days/,
    );
  });
});
