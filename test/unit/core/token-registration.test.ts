import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import {
  MAX_TOKEN_LENGTH,
  parseRegisterTokenInput,
  parseUnregisterTokenInput,
} from '../../../functions/src/core/token-registration';

const TOKEN = 'fcm-token_abc:APA91bH-0123456789';

function rejection(data: unknown) {
  const r = parseRegisterTokenInput(data);
  assert.equal(r.ok, false, `expected a rejection for ${JSON.stringify(data)}`);
  return r as { ok: false; field: string; message: string };
}

describe('parseRegisterTokenInput', () => {
  it('when every field is valid, then all are kept', () => {
    const r = parseRegisterTokenInput({
      token: TOKEN,
      platform: 'ios',
      locale: 'ko-KR',
      timezone: 'Asia/Seoul',
      appVersion: '2.3.1 (45)',
    });
    assert.deepEqual(r, {
      ok: true,
      value: {
        token: TOKEN,
        platform: 'ios',
        locale: 'ko-KR',
        timezone: 'Asia/Seoul',
        appVersion: '2.3.1 (45)',
      },
    });
  });

  it('when optional fields are absent, then they are absent from the value', () => {
    const r = parseRegisterTokenInput({ token: TOKEN, platform: 'web' });
    assert.deepEqual(r, { ok: true, value: { token: TOKEN, platform: 'web' } });
  });

  it('when android locale style en_US is sent, then it is accepted', () => {
    assert.equal(
      parseRegisterTokenInput({ token: TOKEN, platform: 'android', locale: 'en_US' }).ok,
      true,
    );
  });

  const cases: Array<[string, unknown, string]> = [
    ['data is null', null, '(data)'],
    ['data is a string', 'token', '(data)'],
    ['data is an array', [TOKEN], '(data)'],
    ['token is missing', { platform: 'ios' }, 'token'],
    ['token is empty', { token: '', platform: 'ios' }, 'token'],
    ['token is a number', { token: 42, platform: 'ios' }, 'token'],
    ['token is too long', { token: 'a'.repeat(MAX_TOKEN_LENGTH + 1), platform: 'ios' }, 'token'],
    ['token has a space', { token: 'abc def', platform: 'ios' }, 'token'],
    ['token has a newline', { token: 'abc\ndef', platform: 'ios' }, 'token'],
    ['token has a control character', { token: 'abc\u0000def', platform: 'ios' }, 'token'],
    ['token has a C1 control character', { token: 'abc\u0085def', platform: 'ios' }, 'token'],
    ['platform is missing', { token: TOKEN }, 'platform'],
    ['platform is unknown', { token: TOKEN, platform: 'windows' }, 'platform'],
    ['platform is upper case', { token: TOKEN, platform: 'IOS' }, 'platform'],
    ['locale is a number', { token: TOKEN, platform: 'ios', locale: 5 }, 'locale'],
    [
      'locale is oversized',
      { token: TOKEN, platform: 'ios', locale: 'en-' + 'x'.repeat(40) },
      'locale',
    ],
    ['locale is not a tag', { token: TOKEN, platform: 'ios', locale: 'english please' }, 'locale'],
    [
      'timezone is unknown',
      { token: TOKEN, platform: 'ios', timezone: 'Mars/Olympus' },
      'timezone',
    ],
    [
      'timezone is oversized',
      { token: TOKEN, platform: 'ios', timezone: 'A'.repeat(65) },
      'timezone',
    ],
    [
      'appVersion is an object',
      { token: TOKEN, platform: 'ios', appVersion: { v: 1 } },
      'appVersion',
    ],
    [
      'appVersion is oversized',
      { token: TOKEN, platform: 'ios', appVersion: '1'.repeat(65) },
      'appVersion',
    ],
    [
      'appVersion has a control character',
      { token: TOKEN, platform: 'ios', appVersion: '1\u0007' },
      'appVersion',
    ],
    ['an unknown field is sent', { token: TOKEN, platform: 'ios', uid: 'someone-else' }, 'uid'],
  ];
  for (const [what, data, field] of cases) {
    it(`when ${what}, then it is rejected naming ${field}`, () => {
      const r = rejection(data);
      assert.equal(r.field, field);
      assert.match(r.message, new RegExp(field === '(data)' ? 'data' : field));
    });
  }
});

describe('parseUnregisterTokenInput', () => {
  it('when a token is given, then it is returned', () => {
    assert.deepEqual(parseUnregisterTokenInput({ token: TOKEN }), {
      ok: true,
      value: { token: TOKEN },
    });
  });
  it('when the token is missing, then the rejection names token', () => {
    const r = parseUnregisterTokenInput({});
    assert.equal(r.ok, false);
    assert.equal(!r.ok && r.field, 'token');
  });
  it('when an extra field is sent, then the rejection names it', () => {
    const r = parseUnregisterTokenInput({ token: TOKEN, platform: 'ios' });
    assert.equal(!r.ok && r.field, 'platform');
  });
});
