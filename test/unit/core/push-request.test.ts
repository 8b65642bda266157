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
