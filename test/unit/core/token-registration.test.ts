import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import {
  MAX_TOKEN_LENGTH,
  parseRegisterTokenInput,
  parseUnregisterTokenInput,
} from '../../../functions/src/core/token-registration';
import { docSection, snippetIn } from '../../support/doc-snippets';

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
      warnings: [],
    });
  });

  it('when optional fields are absent or null, then they are absent from the value, without warnings', () => {
    const r = parseRegisterTokenInput({ token: TOKEN, platform: 'web' });
    assert.deepEqual(r, { ok: true, value: { token: TOKEN, platform: 'web' }, warnings: [] });
    const nulls = { token: TOKEN, platform: 'web', locale: null, timezone: null, appVersion: null };
    assert.deepEqual(parseRegisterTokenInput(nulls), r);
  });

  const normalised: Array<[string, Record<string, unknown>, Record<string, string>]> = [
    ['an Android locale en_US', { locale: 'en_US' }, { locale: 'en-US' }],
    // What the README's old iOS snippet produced with a region override.
    ['an iOS locale with a region override', { locale: 'en_US@rg=krzzzz' }, { locale: 'en-US' }],
    ['an iOS locale with a calendar', { locale: 'ja-JP@calendar=japanese' }, { locale: 'ja-JP' }],
    ['a POSIX locale', { locale: 'ko_KR.UTF-8' }, { locale: 'ko-KR' }],
    ['a locale in odd case', { locale: 'zh-hant-tw' }, { locale: 'zh-Hant-TW' }],
    [
      'a 38-character BCP 47 tag',
      { locale: 'sr-Latn-RS-u-ca-gregory-nu-latn-hc-h23' },
      { locale: 'sr-Latn-RS-u-ca-gregory-hc-h23-nu-latn' },
    ],
    ['a time zone in lower case', { timezone: 'asia/seoul' }, { timezone: 'Asia/Seoul' }],
    ['an app version with spaces around it', { appVersion: ' 2.0 ' }, { appVersion: '2.0' }],
  ];
  for (const [what, sent, saved] of normalised) {
    it(`when ${what} is sent, then it is normalised and saved without a warning`, () => {
      assert.deepEqual(parseRegisterTokenInput({ token: TOKEN, platform: 'ios', ...sent }), {
        ok: true,
        value: { token: TOKEN, platform: 'ios', ...saved },
        warnings: [],
      });
    });
  }

  const dropped: Array<[string, Record<string, unknown>, string]> = [
    ['locale is a number', { locale: 5 }, 'locale'],
    ['locale is not a tag', { locale: 'english please' }, 'locale'],
    ['locale is oversized', { locale: 'en-' + 'x'.repeat(300) }, 'locale'],
    ['locale is empty', { locale: '' }, 'locale'],
    ['timezone is unknown', { timezone: 'Mars/Olympus' }, 'timezone'],
    ['timezone is an offset', { timezone: '+09:00' }, 'timezone'],
    ['timezone is oversized', { timezone: 'A'.repeat(65) }, 'timezone'],
    ['appVersion is an object', { appVersion: { v: 1 } }, 'appVersion'],
    ['appVersion is oversized', { appVersion: '1'.repeat(65) }, 'appVersion'],
    ['appVersion has a control character', { appVersion: '1\u0007' }, 'appVersion'],
    ['an unknown field is sent', { uid: 'someone-else' }, 'uid'],
  ];
  for (const [what, sent, field] of dropped) {
    it(`when ${what}, then the device is still registered and a warning names ${field}`, () => {
      const r = parseRegisterTokenInput({
        token: TOKEN,
        platform: 'ios',
        locale: 'ko-KR',
        ...sent,
      });
      assert.ok(r.ok, JSON.stringify(r));
      assert.equal(r.value.token, TOKEN);
      assert.equal(r.value.platform, 'ios');
      assert.equal(field in r.value, false, `${field} is not saved`);
      assert.deepEqual(
        r.warnings.map((w) => w.field),
        [field],
      );
      assert.match(r.warnings[0]!.message, new RegExp(field));
    });
  }

  it('when every optional field is bad, then the token is saved with three warnings', () => {
    const r = parseRegisterTokenInput({
      token: TOKEN,
      platform: 'android',
      locale: 42,
      timezone: 'Nowhere/Land',
      appVersion: '',
    });
    assert.ok(r.ok);
    assert.deepEqual(r.value, { token: TOKEN, platform: 'android' });
    assert.deepEqual(
      r.warnings.map((w) => w.field),
      ['locale', 'timezone', 'appVersion'],
    );
  });

  it('when many unknown fields are sent, then five are named and the rest counted', () => {
    const extra = Object.fromEntries(Array.from({ length: 8 }, (_, i) => [`x${i}`, i]));
    const r = parseRegisterTokenInput({ token: TOKEN, platform: 'web', ...extra });
    assert.ok(r.ok);
    assert.deepEqual(
      r.warnings.map((w) => w.field),
      ['x0', 'x1', 'x2', 'x3', 'x4', '(data)'],
    );
    assert.match(r.warnings[5]!.message, /3 more/);
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
    [
      'the token is bad even with good metadata',
      { token: 'a b', platform: 'ios', locale: 'ko-KR' },
      'token',
    ],
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

/**
 * The client snippets (docs/clients.md) are what apps copy: they must send what registerToken accepts and
 * not lose failures (issue 10, item 9).
 */
describe('docs/clients.md: client snippets', () => {
  const section = docSection('clients.md', '### Client snippets', '## Writing a check');
  const snippet = (heading: string) => snippetIn(section, heading);
  const snippets = {
    kotlin: snippet('Android (Kotlin)'),
    swift: snippet('iOS (Swift)'),
    dart: snippet('Flutter (Dart)'),
    web: snippet('Web (JavaScript)'),
  };

  it('when the section opens, then it says to register right after sign-in and on every token refresh', () => {
    assert.match(section, /right after sign-in, on every token refresh/);
  });

  for (const [name, text] of Object.entries(snippets)) {
    it(`when the ${name} snippet is read, then it names the SDK versions it was written for`, () => {
      assert.match(text.split('```')[0]!, /\d+\.(x|\d+)/, name);
    });
    it(`when the ${name} snippet calls registerToken, then a failure is caught and logged, not dropped`, () => {
      assert.doesNotMatch(text, /try\?/);
      assert.match(text, /catch/);
      assert.match(text, /warnings/);
    });
  }

  it('when iOS sends its locale, then it is a BCP 47 identifier and the APNs token is awaited', () => {
    assert.match(snippets.swift, /Locale\.current\.identifier\(\.bcp47\)/);
    assert.match(snippets.swift, /Locale\.preferredLanguages\.first/);
    assert.match(snippets.swift, /apnsToken != nil/);
    assert.doesNotMatch(snippets.swift, /replacingOccurrences/);
  });

  it('when Flutter sends its time zone, then it sends flutter_timezone 5 TimezoneInfo.identifier and never dart:io Platform', () => {
    assert.match(snippets.dart, /getLocalTimezone\(\)\)\.identifier/);
    assert.doesNotMatch(snippets.dart.slice(snippets.dart.indexOf('```')), /Platform\.is/);
    assert.match(snippets.dart, /getAPNSToken/);
  });

  it('when Android rotates its token, then onNewToken cannot throw into the app', () => {
    const onNewToken = snippets.kotlin.slice(snippets.kotlin.indexOf('override fun onNewToken'));
    assert.match(onNewToken, /pushScope\.launch \{ registerPushToken\(token\) \}/);
    const register = snippets.kotlin.slice(
      snippets.kotlin.indexOf('suspend fun registerPushToken'),
      snippets.kotlin.indexOf('class PushService'),
    );
    assert.match(register, /try \{[\s\S]*\} catch \(e: Exception\)/);
  });

  it('when the web app logs out, then it never calls getToken (which would prompt for permission)', () => {
    const logout = snippets.web.slice(snippets.web.indexOf('export async function logout'));
    assert.doesNotMatch(logout, /getToken\(/);
  });

  it("when the old iOS snippet's locale (underscores replaced, @rg kept) is sent, then it is saved normalised", () => {
    // Locale.current.identifier.replacingOccurrences(of: "_", with: "-") gave "en-US@rg=krzzzz".
    const r = parseRegisterTokenInput({ token: TOKEN, platform: 'ios', locale: 'en-US@rg=krzzzz' });
    assert.deepEqual(r, {
      ok: true,
      value: { token: TOKEN, platform: 'ios', locale: 'en-US' },
      warnings: [],
    });
  });
});
