import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import {
  buildFcmMessage,
  planPushes,
  pushIdOf,
  PUSH_ID_DATA_KEY,
} from '../../../functions/src/core/push';

describe('pushIdOf', () => {
  it('when the same event, request and target repeat, then the id is the same', () => {
    assert.equal(pushIdOf('e1', 0, { token: 't' }), pushIdOf('e1', 0, { token: 't' }));
  });
  it('when event, request index or target differ, then ids differ', () => {
    const ids = new Set([
      pushIdOf('e1', 0, { token: 't' }),
      pushIdOf('e2', 0, { token: 't' }),
      pushIdOf('e1', 1, { token: 't' }),
      pushIdOf('e1', 0, { token: 'u' }),
      pushIdOf('e1', 0, { topic: 't' }),
    ]);
    assert.equal(ids.size, 5);
  });
});

describe('planPushes', () => {
  it('when a request has several targets, then one push per target, reserved now by default', () => {
    const planned = planPushes(
      [
        {
          request: { to: { uid: 'u' }, title: 'x' },
          targets: [{ token: 'a' }, { token: 'b' }],
          uid: 'u',
        },
      ],
      { eventId: 'ev', nowMs: 1000, source: { path: 'orders/1', check: 'c' } },
    );
    assert.equal(planned.length, 2);
    assert.deepEqual(
      planned.map((p) => p.reservedAtMs),
      [1000, 1000],
    );
    assert.equal(planned[0].uid, 'u');
    assert.deepEqual(planned[0].source, { path: 'orders/1', check: 'c', eventId: 'ev' });
  });
  it('when an explicit index is given, then ids use it instead of the position', () => {
    const [p] = planPushes(
      [{ request: { to: { token: 'a' }, title: 'x' }, targets: [{ token: 'a' }], index: 3 }],
      {
        eventId: 'ev',
        nowMs: 0,
        source: { path: 'p', check: 'c' },
      },
    );
    assert.equal(p.id, pushIdOf('ev', 3, { token: 'a' }));
  });
});

describe('buildFcmMessage', () => {
  const base = { id: 'p1', target: { token: 'tok' }, attempts: 0 };
  it('when a push has title and content, then they become the notification and the id tags it', () => {
    const m = buildFcmMessage({ ...base, title: 'T', content: 'C', data: { a: '1' } }, 0);
    assert.equal(m.token, 'tok');
    assert.deepEqual(m.notification, { title: 'T', body: 'C' });
    assert.deepEqual(m.data, { a: '1', [PUSH_ID_DATA_KEY]: 'p1' });
    assert.equal((m.android?.notification as { tag?: string }).tag, 'p1');
    assert.equal(m.apns?.headers?.['apns-collapse-id'], 'p1');
  });
  it('when a push is data only, then there is no notification and no android notification', () => {
    const m = buildFcmMessage({ ...base, data: { a: '1' } }, 0);
    assert.equal(m.notification, undefined);
    assert.equal(m.android, undefined);
  });
  it('when ttl, priority and collapse key are set, then each platform gets its form', () => {
    const m = buildFcmMessage(
      { ...base, title: 'T', ttlSeconds: 60, priority: 'high', collapseKey: 'ck' },
      10_000,
    );
    assert.equal(m.android?.ttl, '60s');
    assert.equal(m.android?.priority, 'HIGH');
    assert.equal(m.android?.collapse_key, 'ck');
    assert.equal(m.apns?.headers?.['apns-priority'], '10');
    assert.equal(m.apns?.headers?.['apns-expiration'], '70');
    assert.equal(m.apns?.headers?.['apns-collapse-id'], 'ck');
    assert.equal(m.webpush?.headers?.TTL, '60');
  });
  it('when the push names its own android tag or apns headers, then they win', () => {
    const m = buildFcmMessage(
      {
        ...base,
        title: 'T',
        android: { notification: { tag: 'mine' } },
        apns: { headers: { 'apns-collapse-id': 'own' } },
      },
      0,
    );
    assert.equal((m.android?.notification as { tag?: string }).tag, 'mine');
    assert.equal(m.apns?.headers?.['apns-collapse-id'], 'own');
  });
  it('when the target is a topic, then the message addresses the topic', () => {
    const m = buildFcmMessage({ ...base, target: { topic: 'news' }, title: 'T' }, 0);
    assert.equal(m.topic, 'news');
    assert.equal(m.token, undefined);
  });
});
