import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { parsePushRequest } from '../../../functions/src/core/push-request';

function rejected(value: unknown, path = '') {
  const r = parsePushRequest(value, path);
  assert.equal(r.ok, false, `expected rejection of ${JSON.stringify(value)}`);
  return r as { ok: false; field: string; message: string };
}

describe('parsePushRequest', () => {
  it('when a full request is given, then times become epoch ms and fields are kept', () => {
    const r = parsePushRequest({
      to: { uid: 'u1' },
      title: 'Hi',
      content: 'Body',
      data: { a: '1' },
      reservedAt: new Date('2030-01-01T00:00:00Z'),
      expiresAt: '2030-01-02T00:00:00Z',
      key: 'k',
      ttlSeconds: 60,
      priority: 'high',
      apns: { payload: { aps: { sound: 'default' } } },
    });
    assert.equal(r.ok, true);
    if (!r.ok) return;
    assert.equal(r.value.reservedAtMs, Date.parse('2030-01-01T00:00:00Z'));
    assert.equal(r.value.expiresAtMs, Date.parse('2030-01-02T00:00:00Z'));
    assert.deepEqual(r.value.to, { uid: 'u1' });
    assert.equal(r.value.priority, 'high');
  });

  it('when reservedAt is a Firestore-like Timestamp, then its millis are used', () => {
    const r = parsePushRequest({
      to: { topic: 'news' },
      title: 't',
      reservedAt: { toMillis: () => 42 },
    });
    assert.equal(r.ok && r.value.reservedAtMs, 42);
  });

  const cases: Array<[string, unknown, string]> = [
    ['the request is not an object', 'x', '(request)'],
    ['to is missing', { title: 't' }, 'to'],
    ['to has two targets', { to: { uid: 'a', token: 'b' }, title: 't' }, 'to'],
    ['to has an unknown kind', { to: { email: 'a@b' }, title: 't' }, 'to'],
    ['to.uid is empty', { to: { uid: '' }, title: 't' }, 'to.uid'],
    ['to.topic has bad characters', { to: { topic: 'a b' }, title: 't' }, 'to.topic'],
    ['nothing would be shown or delivered', { to: { uid: 'a' } }, 'title'],
    ['title is not a string', { to: { uid: 'a' }, title: 5 }, 'title'],
    ['data is not an object', { to: { uid: 'a' }, data: 'x' }, 'data'],
    ['a data value is a number', { to: { uid: 'a' }, data: { n: 1 } }, 'data.n'],
    [
      'reservedAt is not a time',
      { to: { uid: 'a' }, title: 't', reservedAt: 'tomorrow-ish' },
      'reservedAt',
    ],
    [
      'expiresAt is before reservedAt',
      { to: { uid: 'a' }, title: 't', reservedAt: 2000, expiresAt: 1000 },
      'expiresAt',
    ],
    ['ttlSeconds is negative', { to: { uid: 'a' }, title: 't', ttlSeconds: -1 }, 'ttlSeconds'],
    [
      'ttlSeconds is over 28 days',
      { to: { uid: 'a' }, title: 't', ttlSeconds: 2_419_201 },
      'ttlSeconds',
    ],
    ['priority is unknown', { to: { uid: 'a' }, title: 't', priority: 'urgent' }, 'priority'],
    ['android is not an object', { to: { uid: 'a' }, title: 't', android: [] }, 'android'],
    ['an unknown field is present', { to: { uid: 'a' }, title: 't', body: 'typo' }, 'body'],
  ];
  for (const [what, value, field] of cases) {
    it(`when ${what}, then the rejection names ${field}`, () => {
      assert.equal(rejected(value).field, field);
    });
  }

  it('when a path prefix is given, then fields in errors carry it', () => {
    const r = rejected({ to: { uid: 'a' }, data: { n: 1 } }, 'requests[3].');
    assert.equal(r.field, 'requests[3].data.n');
    assert.match(r.message, /requests\[3\]\.data\.n/);
  });
});

describe('parsePushRequest: what users control (category, localized, ignoreQuietHours)', () => {
  it('when category, localized and ignoreQuietHours are given, then locale keys are normalised and kept', () => {
    const r = parsePushRequest({
      to: { uid: 'u1' },
      title: 'Your order shipped',
      category: 'order_updates',
      ignoreQuietHours: true,
      localized: { ko_KR: { title: '주문이 발송되었습니다' }, 'ja-jp': { content: '本文' } },
    });
    assert.deepEqual(r.ok && r.value, {
      to: { uid: 'u1' },
      title: 'Your order shipped',
      category: 'order_updates',
      ignoreQuietHours: true,
      localized: { 'ko-KR': { title: '주문이 발송되었습니다' }, 'ja-JP': { content: '本文' } },
    });
  });

  it('when ignoreQuietHours is false, then it is left out (the default)', () => {
    const r = parsePushRequest({ to: { uid: 'u1' }, title: 't', ignoreQuietHours: false });
    assert.equal(r.ok && 'ignoreQuietHours' in r.value, false);
  });

  const many = Object.fromEntries(
    ['en', 'ko', 'ja', 'de', 'fr', 'es', 'it', 'pt', 'nl', 'sv', 'da', 'fi', 'nb', 'pl', 'cs']
      .flatMap((l) => ['', '-AA', '-BB', '-CC'].map((r) => `${l}${r}`))
      .map((tag) => [tag, { title: tag }]),
  );
  const cases: Array<[string, Record<string, unknown>, string]> = [
    ['category has a space', { category: 'my news' }, 'category'],
    ['category is empty', { category: '' }, 'category'],
    ['category is a number', { category: 7 }, 'category'],
    ['ignoreQuietHours is a string', { ignoreQuietHours: 'yes' }, 'ignoreQuietHours'],
    ['localized is a list', { localized: [] }, 'localized'],
    [
      'a localized key is not a locale',
      { localized: { 'not a locale': { title: 'x' } } },
      'localized.not a locale',
    ],
    [
      'two keys are the same tag',
      { localized: { en_US: { title: 'a' }, 'en-US': { title: 'b' } } },
      'localized.en-US',
    ],
    ['a variant has neither title nor content', { localized: { ko: {} } }, 'localized.ko'],
    ['a variant has an unknown field', { localized: { ko: { body: 'x' } } }, 'localized.ko.body'],
    [
      'a variant title is too long',
      { localized: { ko: { title: 'x'.repeat(1025) } } },
      'localized.ko.title',
    ],
    ['more than 50 languages', { localized: many }, 'localized'],
  ];
  for (const [what, extra, field] of cases) {
    it(`when ${what}, then the rejection names ${field}`, () => {
      assert.equal(rejected({ to: { uid: 'a' }, title: 't', ...extra }).field, field);
    });
  }

  it('when a topic or condition push carries localized, then it is refused: it has no language', () => {
    for (const to of [{ topic: 'news' }, { condition: "'a' in topics" }]) {
      assert.equal(
        rejected({ to, title: 't', localized: { ko: { title: 'x' } } }).field,
        'localized',
      );
    }
    assert.equal(
      parsePushRequest({ to: { token: 't' }, title: 't', localized: { ko: { title: 'x' } } }).ok,
      true,
    );
  });
});
