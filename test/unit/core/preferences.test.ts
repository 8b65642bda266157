/**
 * What users control, decided with fixed clocks: opt-outs, quiet hours in a time zone (windows
 * across midnight, daylight-saving changes in both directions), the spread after a window, expiry
 * inside a window, language matching, and the setPushPreferences input rules.
 */
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import {
  decideDelivery,
  instantsOf,
  MAX_CATEGORIES,
  mergePreferences,
  parsePreferenceChange,
  pickLocalized,
  quietHoursEnd,
  type PushPreferences,
} from '../../../functions/src/core/preferences';
import { decideExpansion, deliveryIdOf } from '../../../functions/src/core/notification';
import { parsePushRequest, type PushRequest } from '../../../functions/src/core/push-request';
import { whyFcmWouldRefuse } from '../../../functions/src/use-cases/queue-pushes';
import { docSection, snippetIn } from '../../support/doc-snippets';

const at = (iso: string) => Date.parse(iso);
const MIN = 60_000;
const HOUR = 3_600_000;

describe('quietHoursEnd (fixed clocks)', () => {
  const night = { start: '22:00', end: '08:00' };
  /** quietHoursEnd at the instant `iso`. */
  const endsAt = (iso: string, q: { start: string; end: string }, zone: string) =>
    quietHoursEnd(at(iso), q, zone);

  it('when it is 23:30 in Seoul inside 22:00–08:00, then the window ends at 08:00 the next morning, Seoul time', () => {
    // 2030-06-01T14:30Z is 23:30 KST (UTC+9, no DST).
    assert.equal(endsAt('2030-06-01T14:30:00Z', night, 'Asia/Seoul'), at('2030-06-01T23:00:00Z'));
  });

  it('when it is 06:00 local inside a window that crossed midnight, then it ends at 08:00 the same day', () => {
    assert.equal(endsAt('2030-06-01T21:00:00Z', night, 'Asia/Seoul'), at('2030-06-01T23:00:00Z'));
  });

  it('when the local time is exactly the end, or just before the start, then it is outside', () => {
    assert.equal(endsAt('2030-06-01T23:00:00Z', night, 'Asia/Seoul'), undefined); // 08:00
    assert.equal(endsAt('2030-06-01T12:59:00Z', night, 'Asia/Seoul'), undefined); // 21:59
    assert.equal(
      endsAt('2030-06-01T13:00:00Z', night, 'Asia/Seoul'),
      at('2030-06-01T23:00:00Z'),
      '22:00 itself is inside',
    );
  });

  it('when the window does not cross midnight (13:00–14:00), then only that hour is quiet', () => {
    const lunch = { start: '13:00', end: '14:00' };
    assert.equal(endsAt('2030-06-01T13:30:00Z', lunch, 'UTC'), at('2030-06-01T14:00:00Z'));
    assert.equal(endsAt('2030-06-01T14:30:00Z', lunch, 'UTC'), undefined);
    assert.equal(endsAt('2030-06-01T12:59:59Z', lunch, 'UTC'), undefined);
  });

  it('when the same instant is read in two zones, then each device gets its own answer', () => {
    const t = at('2030-06-01T14:30:00Z'); // 23:30 in Seoul, 16:30 in Berlin (CEST)
    assert.equal(quietHoursEnd(t, night, 'Asia/Seoul'), at('2030-06-01T23:00:00Z'));
    assert.equal(quietHoursEnd(t, night, 'Europe/Berlin'), undefined);
  });

  it('when clocks go forward inside the window (New York, 10 March 2030), then it ends at 08:00 EDT: a 9-hour night, not 10', () => {
    // 22:00 EST on 9 March is 03:00Z; 08:00 EDT on 10 March is 12:00Z.
    const start = at('2030-03-10T03:00:00Z');
    assert.equal(quietHoursEnd(start, night, 'America/New_York'), at('2030-03-10T12:00:00Z'));
    assert.equal(
      endsAt('2030-03-10T11:59:00Z', night, 'America/New_York'),
      at('2030-03-10T12:00:00Z'),
    );
    assert.equal(endsAt('2030-03-10T12:00:00Z', night, 'America/New_York'), undefined);
  });

  it('when clocks go back inside the window (New York, 3 November 2030), then it ends at 08:00 EST: an 11-hour night', () => {
    // 22:00 EDT on 2 November is 02:00Z; 08:00 EST on 3 November is 13:00Z.
    assert.equal(
      endsAt('2030-11-03T02:00:00Z', night, 'America/New_York'),
      at('2030-11-03T13:00:00Z'),
    );
  });

  it('when the end falls in the hour the clock skips (Berlin, 02:30 on 31 March 2030), then the window ends when the clock jumps to 03:00', () => {
    const q = { start: '22:00', end: '02:30' };
    // 00:00 CET is 23:00Z; the clock jumps from 02:00 CET to 03:00 CEST at 01:00Z.
    assert.equal(endsAt('2030-03-30T23:00:00Z', q, 'Europe/Berlin'), at('2030-03-31T01:00:00Z'));
    assert.deepEqual(instantsOf({ year: 2030, month: 3, day: 31 }, 2, 30, 'Europe/Berlin'), [
      at('2030-03-31T01:00:00Z'),
    ]);
  });

  it('when the end falls in the hour the clock repeats (Berlin, 02:30 on 27 October 2030), then the first 02:30 ends it, and the repeated 02:00–02:30 is quiet again', () => {
    const q = { start: '22:00', end: '02:30' };
    assert.deepEqual(instantsOf({ year: 2030, month: 10, day: 27 }, 2, 30, 'Europe/Berlin'), [
      at('2030-10-27T00:30:00Z'),
      at('2030-10-27T01:30:00Z'),
    ]);
    // 23:00 CEST on the 26th: the first 02:30 (CEST) ends it.
    assert.equal(endsAt('2030-10-26T21:00:00Z', q, 'Europe/Berlin'), at('2030-10-27T00:30:00Z'));
    // 02:10 CET, the second time the clock shows it: quiet until the second 02:30.
    assert.equal(endsAt('2030-10-27T01:10:00Z', q, 'Europe/Berlin'), at('2030-10-27T01:30:00Z'));
    // 02:40 CEST, between the two passes: outside.
    assert.equal(endsAt('2030-10-27T00:40:00Z', q, 'Europe/Berlin'), undefined);
  });

  it('when a zone has a 30- or 45-minute offset (Kathmandu, UTC+5:45), then local minutes count', () => {
    // 22:15 NPT is 16:30Z; 08:00 NPT is 02:15Z next day.
    assert.equal(
      endsAt('2030-06-01T16:30:00Z', night, 'Asia/Kathmandu'),
      at('2030-06-02T02:15:00Z'),
    );
  });
});

describe('pickLocalized', () => {
  const variants = (...tags: string[]) => Object.fromEntries(tags.map((t) => [t, { title: t }]));

  const cases: Array<[string, string[], string | undefined, string | undefined]> = [
    ['the exact tag wins', ['ko', 'ko-KR', 'en'], 'ko-KR', 'ko-KR'],
    ['the exact tag wins whatever its letter case', ['ko-KR'], 'ko-kr', 'ko-KR'],
    ['a regional device reads the bare language', ['ko', 'en'], 'ko-KR', 'ko'],
    [
      'a bare-language device reads the likely region (en is en-US)',
      ['en-GB', 'en-US'],
      'en',
      'en-US',
    ],
    ['pt means Brazil (CLDR likely subtags)', ['pt-PT', 'pt-BR'], 'pt', 'pt-BR'],
    ['en-AU reads the shortest same-language tag', ['en-US', 'en', 'en-GB'], 'en-AU', 'en'],
    ['zh-TW reads Traditional before Simplified', ['zh-Hans', 'zh-Hant'], 'zh-TW', 'zh-Hant'],
    ['zh-CN reads Simplified', ['zh-Hant', 'zh-Hans'], 'zh-CN', 'zh-Hans'],
    ['a script mismatch still beats another language', ['zh-Hans', 'en'], 'zh-TW', 'zh-Hans'],
    ['no variant in the language: none (the request’s own text)', ['de', 'fr'], 'ja-JP', undefined],
    ['no locale known: none', ['de'], undefined, undefined],
  ];
  for (const [what, tags, locale, expected] of cases) {
    it(`when ${what}, then ${expected ?? 'none'} is picked`, () => {
      assert.equal(pickLocalized(variants(...tags), locale), expected);
    });
  }
});

describe('decideDelivery', () => {
  const clock = (iso: string, random = 0.5) => ({ nowMs: at(iso), random, spreadMs: 10 * MIN });
  const night: PushPreferences = {
    categories: {},
    quietHours: { start: '22:00', end: '08:00' },
    timezone: 'Asia/Seoul',
  };
  const push = { title: 'Hello', content: 'Body' };

  it('when the user turned the category off, then it is suppressed with OPTED_OUT:<category>', () => {
    const prefs = { categories: { marketing: false } };
    assert.deepEqual(
      decideDelivery({ ...push, category: 'marketing' }, prefs, {}, clock('2030-06-01T03:00:00Z')),
      {
        kind: 'suppress',
        category: 'marketing',
        code: 'OPTED_OUT:marketing',
      },
    );
  });

  it('when a category is not mentioned, or turned on, then it is sent', () => {
    const prefs = { categories: { marketing: false, orders: true } };
    for (const category of [undefined, 'orders', 'news']) {
      assert.equal(
        decideDelivery({ ...push, category }, prefs, {}, clock('2030-06-01T03:00:00Z')).kind,
        'send',
      );
    }
  });

  it('when the user turned "default" off, then a request without category is suppressed', () => {
    const d = decideDelivery(
      push,
      { categories: { default: false } },
      {},
      clock('2030-06-01T03:00:00Z'),
    );
    assert.equal(d.kind === 'suppress' && d.code, 'OPTED_OUT:default');
  });

  it('when it is inside quiet hours, then it waits until the end plus random × spread', () => {
    const d = decideDelivery(push, night, {}, clock('2030-06-01T14:30:00Z', 0.5));
    assert.equal(d.kind, 'defer');
    if (d.kind !== 'defer') return;
    assert.equal(d.quiet.endsAtMs, at('2030-06-01T23:00:00Z'));
    assert.equal(d.untilMs, at('2030-06-01T23:00:00Z') + 5 * MIN);
    assert.deepEqual(d.text, push);
    const first = decideDelivery(push, night, {}, clock('2030-06-01T14:30:00Z', 0));
    const last = decideDelivery(push, night, {}, clock('2030-06-01T14:30:00Z', 0.99999));
    assert.equal(first.kind === 'defer' && first.untilMs, at('2030-06-01T23:00:00Z'));
    assert.ok(last.kind === 'defer' && last.untilMs < at('2030-06-01T23:00:00Z') + 10 * MIN);
  });

  it('when the request says ignoreQuietHours, then it is sent inside them', () => {
    assert.equal(
      decideDelivery({ ...push, ignoreQuietHours: true }, night, {}, clock('2030-06-01T14:30:00Z'))
        .kind,
      'send',
    );
  });

  it('when quiet hours end after expiresAt, then it expires; when only the spread would pass it, it goes at the end', () => {
    const end = at('2030-06-01T23:00:00Z');
    const expired = decideDelivery(
      { ...push, expiresAtMs: end },
      night,
      {},
      clock('2030-06-01T14:30:00Z'),
    );
    assert.equal(expired.kind, 'expire');
    const tight = decideDelivery(
      { ...push, expiresAtMs: end + MIN },
      night,
      {},
      clock('2030-06-01T14:30:00Z', 0.9),
    );
    assert.equal(tight.kind === 'defer' && tight.untilMs, end);
  });

  it('when the preference has no zone, then the device’s zone counts, else UTC', () => {
    const noZone = { ...night, timezone: undefined };
    const t = clock('2030-06-01T14:30:00Z'); // 23:30 Seoul, 14:30 UTC
    assert.equal(decideDelivery(push, noZone, { timezone: 'Asia/Seoul' }, t).kind, 'defer');
    assert.equal(decideDelivery(push, noZone, {}, t).kind, 'send');
    assert.equal(decideDelivery(push, noZone, { timezone: 'Europe/Berlin' }, t).kind, 'send');
    // The preference's zone wins over the device's.
    assert.equal(decideDelivery(push, night, { timezone: 'Europe/Berlin' }, t).kind, 'defer');
  });

  it('when a stored zone is unknown to the runtime, then the next one is used instead of failing', () => {
    const t = clock('2030-06-01T14:30:00Z');
    const bad = { ...night, timezone: 'Mars/Olympus' };
    assert.equal(decideDelivery(push, bad, { timezone: 'Asia/Seoul' }, t).kind, 'defer');
    assert.equal(decideDelivery(push, bad, { timezone: 'Nowhere/Else' }, t).kind, 'send'); // UTC
  });

  it('when a variant matches, then its fields replace the request’s and the others stay', () => {
    const localized = { ko: { title: '안녕하세요' }, ja: { title: 'こんにちは', content: '本文' } };
    const t = clock('2030-06-01T03:00:00Z');
    assert.deepEqual(decideDelivery({ ...push, localized }, undefined, { locale: 'ko-KR' }, t), {
      kind: 'send',
      text: { title: '안녕하세요', content: 'Body' },
      contentLocale: 'ko',
    });
    // The preference's locale wins over the device's.
    const d = decideDelivery(
      { ...push, localized },
      { categories: {}, locale: 'ja-JP' },
      { locale: 'ko-KR' },
      t,
    );
    assert.deepEqual(d.kind === 'send' && d.text, { title: 'こんにちは', content: '本文' });
    assert.deepEqual(decideDelivery({ ...push, localized }, undefined, { locale: 'fr' }, t), {
      kind: 'send',
      text: push,
    });
  });
});

describe('decideExpansion with preferences', () => {
  const devices = [
    { tokenId: 't1', token: 'seoul-phone', timezone: 'Asia/Seoul', locale: 'ko-KR' },
    { tokenId: 't2', token: 'berlin-tablet', timezone: 'Europe/Berlin', locale: 'de-DE' },
  ];
  const request = {
    title: 'Reminder',
    localized: { ko: { title: '알림' }, de: { title: 'Erinnerung' } },
  };
  const ctx = {
    nowMs: at('2030-06-01T14:30:00Z'),
    maxAttempts: 3,
    random: () => 0,
    quietHoursSpreadMs: 10 * MIN,
  };

  it('when the category is off, then the whole notification is suppressed, devices or not', () => {
    const preferences = { categories: { default: false } };
    for (const ds of [devices, []]) {
      assert.deepEqual(
        decideExpansion({ id: 'n', attempts: 1, request }, ds, { ...ctx, preferences }),
        {
          kind: 'suppressed',
          category: 'default',
          code: 'OPTED_OUT:default',
        },
      );
    }
  });

  it('when quiet hours follow each device’s zone, then the Seoul phone waits and the Berlin tablet gets it now, each in its language', () => {
    const preferences = { categories: {}, quietHours: { start: '22:00', end: '08:00' } };
    const d = decideExpansion({ id: 'n', attempts: 1, request }, devices, { ...ctx, preferences });
    assert.equal(d.kind, 'expand');
    if (d.kind !== 'expand') return;
    const [phone, tablet] = d.deliveries;
    assert.equal(phone.id, deliveryIdOf('n', 't1'));
    assert.equal(phone.decision.kind, 'defer');
    assert.equal(
      phone.decision.kind === 'defer' && phone.decision.untilMs,
      at('2030-06-01T23:00:00Z'),
    );
    assert.deepEqual(phone.decision.kind === 'defer' && phone.decision.text, { title: '알림' });
    assert.deepEqual(tablet.decision, {
      kind: 'send',
      text: { title: 'Erinnerung' },
      contentLocale: 'de',
    });
  });

  it('when each device is drawn its own spread, then the random source is called per device', () => {
    const preferences = {
      categories: {},
      quietHours: { start: '22:00', end: '08:00' },
      timezone: 'Asia/Seoul',
    };
    const draws = [0.1, 0.7];
    const d = decideExpansion({ id: 'n', attempts: 1, request }, devices, {
      ...ctx,
      preferences,
      random: () => draws.shift()!,
    });
    const until =
      d.kind === 'expand'
        ? d.deliveries.map((x) => (x.decision.kind === 'defer' ? x.decision.untilMs : 0))
        : [];
    assert.deepEqual(until, [
      at('2030-06-01T23:00:00Z') + 1 * MIN,
      at('2030-06-01T23:00:00Z') + 7 * MIN,
    ]);
  });

  it('when there are no preferences, then every device gets the push now in its language', () => {
    const d = decideExpansion({ id: 'n', attempts: 1, request }, devices, ctx);
    assert.deepEqual(d.kind === 'expand' && d.deliveries.map((x) => x.decision), [
      { kind: 'send', text: { title: '알림' }, contentLocale: 'ko' },
      { kind: 'send', text: { title: 'Erinnerung' }, contentLocale: 'de' },
    ]);
  });

  it('when the notification expired, then it expires before preferences are read', () => {
    assert.deepEqual(
      decideExpansion({ id: 'n', attempts: 1, expiresAtMs: ctx.nowMs, request }, devices, {
        ...ctx,
        preferences: { categories: { default: false } },
      }),
      { kind: 'expire' },
    );
  });

  it('when quiet hours span an hour longer than the push lives, then that device’s delivery expires', () => {
    const preferences = {
      categories: {},
      quietHours: { start: '22:00', end: '08:00' },
      timezone: 'Asia/Seoul',
    };
    const d = decideExpansion(
      { id: 'n', attempts: 1, expiresAtMs: ctx.nowMs + HOUR, request },
      devices.slice(0, 1),
      { ...ctx, preferences },
    );
    assert.equal(d.kind === 'expand' && d.deliveries[0].decision.kind, 'expire');
  });
});

describe('setPushPreferences input (parsePreferenceChange, mergePreferences)', () => {
  const refused = (data: unknown) => {
    const r = parsePreferenceChange(data);
    assert.equal(r.ok, false, `expected ${JSON.stringify(data)} to be refused`);
    return r.ok ? '' : r.field;
  };

  it('when every field is given, then zone and locale are normalised and the rest kept', () => {
    const r = parsePreferenceChange({
      categories: { marketing: false, order_updates: true },
      quietHours: { start: '22:00', end: '07:30' },
      timezone: 'asia/seoul',
      locale: 'ko_KR',
    });
    assert.deepEqual(r, {
      ok: true,
      value: {
        categories: { marketing: false, order_updates: true },
        quietHours: { start: '22:00', end: '07:30' },
        timezone: 'Asia/Seoul',
        locale: 'ko-KR',
      },
    });
  });

  it('when null is given for quietHours, timezone or locale, then it clears them', () => {
    assert.deepEqual(parsePreferenceChange({ quietHours: null, timezone: null, locale: null }), {
      ok: true,
      value: { quietHours: null, timezone: null, locale: null },
    });
  });

  const bad: Array<[string, unknown, string]> = [
    ['25:00', { quietHours: { start: '25:00', end: '07:00' } }, 'quietHours.start'],
    [
      '7:00 without its leading zero',
      { quietHours: { start: '22:00', end: '7:00' } },
      'quietHours.end',
    ],
    ['an empty window', { quietHours: { start: '22:00', end: '22:00' } }, 'quietHours.end'],
    [
      'an unknown quietHours field',
      { quietHours: { start: '22:00', end: '07:00', days: [] } },
      'quietHours.days',
    ],
    ['quietHours as a string', { quietHours: '22:00-07:00' }, 'quietHours'],
    ['an unknown zone', { timezone: 'Mars/Olympus' }, 'timezone'],
    ['an offset instead of a zone', { timezone: '+09:00' }, 'timezone'],
    ['a locale that is not a tag', { locale: 'english please' }, 'locale'],
    ['categories as a list', { categories: ['marketing'] }, 'categories'],
    [
      'a category value that is not a boolean',
      { categories: { marketing: 'off' } },
      'categories.marketing',
    ],
    ['a category name with a space', { categories: { 'my news': false } }, 'categories.my news'],
    ['a category name with a dot', { categories: { 'a.b': false } }, 'categories.a.b'],
    ['an empty category name', { categories: { '': false } }, 'categories.""'],
    ['an unknown field', { sound: false }, 'sound'],
    ['data that is not an object', 'quiet please', '(data)'],
    [
      'an oversized map',
      {
        categories: Object.fromEntries(
          Array.from({ length: MAX_CATEGORIES + 1 }, (_, i) => [`c${i}`, false]),
        ),
      },
      'categories',
    ],
    ['data over 8 KiB', { categories: { a: false }, locale: 'x'.repeat(9000) }, '(data)'],
  ];
  for (const [what, data, field] of bad) {
    it(`when ${what} is sent, then it is refused naming ${field}`, () => {
      assert.equal(refused(data), field);
    });
  }

  it('when categories are merged, then earlier ones stay, named ones change, and null fields clear', () => {
    const current: PushPreferences = {
      categories: { marketing: false },
      quietHours: { start: '22:00', end: '08:00' },
      timezone: 'Asia/Seoul',
    };
    assert.deepEqual(
      mergePreferences(current, { categories: { news: false, marketing: true }, timezone: null }),
      {
        ok: true,
        value: {
          categories: { marketing: true, news: false },
          quietHours: { start: '22:00', end: '08:00' },
        },
      },
    );
  });

  it('when a merge would store more than the category limit, then it is refused naming categories', () => {
    const full = Object.fromEntries(
      Array.from({ length: MAX_CATEGORIES }, (_, i) => [`c${i}`, false]),
    );
    const r = mergePreferences({ categories: full }, { categories: { one_more: false } });
    assert.equal(r.ok, false);
    assert.equal(!r.ok && r.field, 'categories');
    assert.equal(mergePreferences({ categories: full }, { categories: { c1: true } }).ok, true);
  });
});

describe('whyFcmWouldRefuse: every language is checked when queued', () => {
  const request = (extra: Record<string, unknown>): PushRequest => {
    const r = parsePushRequest({ to: { uid: 'u' }, title: 'Hi', content: 'Short', ...extra });
    assert.ok(r.ok, JSON.stringify(r));
    return r.value;
  };

  it('when every variant fits in 4,096 bytes, then the request is accepted', () => {
    const r = request({ localized: { ko: { content: '가'.repeat(1000) } } }); // 3,000 bytes
    assert.equal(whyFcmWouldRefuse(r, 0), undefined);
  });

  it('when one variant is over the payload limit although the request’s own text fits, then it is refused naming that language', () => {
    // 1,400 Hangul syllables: 1,400 characters (under the 4,096-character field limit) but
    // 4,200 bytes of UTF-8 (over FCM's 4,096-byte payload).
    const r = request({ localized: { en: { title: 'ok' }, ko: { content: '가'.repeat(1400) } } });
    const why = whyFcmWouldRefuse(r, 0);
    assert.match(why ?? '', /^localized\.ko: /);
    assert.match(why ?? '', /4096|4,096/);
  });
});

/**
 * The preference snippets (docs/clients.md) are what apps copy: each calls setPushPreferences, keeps a
 * refusal's field instead of dropping it, and sends quiet hours as the callable accepts them.
 */
describe('docs/clients.md: What users control', () => {
  const section = docSection('clients.md', '## What users control', '## Writing a check');
  const snippet = (heading: string) =>
    snippetIn(section, heading, '### Client snippets: preferences');

  for (const heading of ['Android (Kotlin)', 'iOS (Swift)', 'Flutter (Dart)', 'Web (JavaScript)']) {
    it(`when the ${heading} snippet is read, then it names its SDK versions, calls setPushPreferences and logs a refusal's field`, () => {
      const text = snippet(heading);
      assert.match(text.split('```')[0]!, /\d+\.(x|\d+)/);
      assert.match(
        text,
        /httpsCallable\(?.*setPushPreferences|getHttpsCallable\("setPushPreferences"\)/,
      );
      assert.match(text, /catch/);
      assert.match(text, /details/);
      assert.match(text, /quietHours/);
    });
  }

  it('when the example values of the section are sent, then setPushPreferences accepts them', () => {
    assert.equal(
      parsePreferenceChange({
        categories: { marketing: false, order_updates: true },
        quietHours: { start: '22:00', end: '07:00' },
        timezone: 'asia/seoul',
        locale: 'ko_KR',
      }).ok,
      true,
    );
  });

  it('when the section’s check output is parsed, then category and localized are accepted', () => {
    const r = parsePushRequest({
      to: { uid: 'u' },
      category: 'order_updates',
      title: 'Your order has shipped',
      content: 'Order 1 is on its way.',
      localized: {
        ko: { title: '주문이 발송되었습니다' },
        'ja-JP': { title: 'ご注文の商品を発送しました' },
      },
    });
    assert.equal(r.ok, true);
    assert.match(section, /category: 'order_updates'/);
  });
});
