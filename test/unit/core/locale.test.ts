import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import {
  MAX_LOCALE_LENGTH,
  normaliseLocale,
  normaliseTimeZone,
} from '../../../functions/src/core/locale';

describe('normaliseLocale', () => {
  const canonical: Array<[string, string]> = [
    ['en-US', 'en-US'],
    ['en_US', 'en-US'],
    ['EN-us', 'en-US'],
    ['en_US@rg=krzzzz', 'en-US'],
    ['ja_JP@calendar=japanese', 'ja-JP'],
    ['zh-Hans_CN', 'zh-Hans-CN'],
    ['ko_KR.UTF-8', 'ko-KR'],
    ['es-419', 'es-419'],
    [' fr-CA ', 'fr-CA'],
    ['ja-JP-u-ca-japanese', 'ja-JP-u-ca-japanese'],
  ];
  for (const [raw, expected] of canonical) {
    it(`when "${raw}" is given, then it becomes "${expected}"`, () => {
      assert.deepEqual(normaliseLocale(raw), { ok: true, value: expected });
    });
  }

  it('when a valid tag is longer than the limit, then it keeps language, script and region', () => {
    const long = 'en-Latn-US-u-ca-gregory-nu-latn-hc-h23-fw-mon-x-private-use-tags-more';
    assert.ok(long.length > MAX_LOCALE_LENGTH);
    assert.deepEqual(normaliseLocale(long), { ok: true, value: 'en-Latn-US' });
  });

  for (const raw of [42, null, '', '   ', 'english please', 'x', 'en\u0000US', 'a'.repeat(300)]) {
    it(`when ${JSON.stringify(raw)?.slice(0, 20)} is given, then it is refused with a reason`, () => {
      const r = normaliseLocale(raw);
      assert.equal(r.ok, false);
      assert.match((r as { reason: string }).reason, /locale/);
    });
  }
});

describe('normaliseTimeZone', () => {
  for (const [raw, expected] of [
    ['Asia/Seoul', 'Asia/Seoul'],
    ['asia/seoul', 'Asia/Seoul'],
    ['America/New_York', 'America/New_York'],
    [' Europe/Berlin ', 'Europe/Berlin'],
    ['UTC', 'UTC'],
  ]) {
    it(`when "${raw}" is given, then it becomes "${expected}"`, () => {
      assert.deepEqual(normaliseTimeZone(raw), { ok: true, value: expected });
    });
  }

  for (const raw of ['Mars/Olympus', '+09:00', 'KST', '', 7, 'A'.repeat(65)]) {
    it(`when ${JSON.stringify(raw)} is given, then it is refused with a reason`, () => {
      const r = normaliseTimeZone(raw);
      assert.equal(r.ok, false);
      assert.match((r as { reason: string }).reason, /timezone/);
    });
  }
});
