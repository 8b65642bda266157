import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import {
  buildFcmMessage,
  planPushes,
  pushIdOf,
  PUSH_ID_DATA_KEY,
} from '../../../functions/src/core/push';
import { validateFcmMessage } from '../../../functions/src/fcm/validate';

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
        },
      ],
      { eventId: 'ev', nowMs: 1000, source: { path: 'orders/1', check: 'c' } },
    );
    assert.equal(planned.length, 2);
    assert.deepEqual(
      planned.map((p) => p.reservedAtMs),
      [1000, 1000],
    );
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
  it('when a push is data only with priority high, then Android gets HIGH and Apple a background push', () => {
    // FCM refuses apns-priority 10 for data messages to Apple devices (REST reference,
    // Message.data): a data-only push is a background notification there.
    const m = buildFcmMessage({ ...base, data: { a: '1' }, priority: 'high' }, 0);
    assert.equal(m.android?.priority, 'HIGH');
    assert.equal(m.apns?.headers?.['apns-priority'], '5');
    assert.equal(m.apns?.headers?.['apns-push-type'], 'background');
    assert.deepEqual(m.apns?.payload, { aps: { 'content-available': 1 } });
    assert.equal(m.notification, undefined);
    assert.deepEqual(validateFcmMessage(m), []);
  });
  it('when a push is data only without a priority, then Apple still gets priority 5 explicitly', () => {
    // The backend's default apns-priority is 10 (REST reference, ApnsConfig.headers).
    const m = buildFcmMessage({ ...base, data: { a: '1' } }, 0);
    assert.equal(m.apns?.headers?.['apns-priority'], '5');
    assert.equal((m.apns?.payload?.aps as Record<string, unknown>)['content-available'], 1);
  });
  it('when a data-only push keeps its own aps fields, then they stay next to content-available', () => {
    const m = buildFcmMessage(
      { ...base, data: { a: '1' }, apns: { payload: { aps: { 'thread-id': 't' }, k: 'v' } } },
      0,
    );
    assert.deepEqual(m.apns?.payload, {
      aps: { 'thread-id': 't', 'content-available': 1 },
      k: 'v',
    });
  });
  it('when a push has a notification and priority high, then Apple gets priority 10 and no background', () => {
    const m = buildFcmMessage({ ...base, title: 'T', priority: 'high' }, 0);
    assert.equal(m.apns?.headers?.['apns-priority'], '10');
    assert.equal(m.apns?.headers?.['apns-push-type'], undefined);
    assert.equal(m.apns?.payload, undefined);
  });
  it('when a data-only push brings its own aps alert, then it is a notification for Apple', () => {
    const m = buildFcmMessage(
      { ...base, data: { a: '1' }, priority: 'high', apns: { payload: { aps: { alert: 'Hi' } } } },
      0,
    );
    assert.equal(m.apns?.headers?.['apns-priority'], '10');
    assert.deepEqual(m.apns?.payload, { aps: { alert: 'Hi' } });
  });
  it('when a data-only push sets apns-priority 10 itself, then it is kept and validation refuses it', () => {
    const m = buildFcmMessage(
      { ...base, data: { a: '1' }, apns: { headers: { 'Apns-Priority': '10' } } },
      0,
    );
    assert.equal(m.apns?.headers?.['Apns-Priority'], '10');
    assert.equal(m.apns?.headers?.['apns-priority'], undefined, 'no second header in another case');
    assert.deepEqual(
      validateFcmMessage(m).map((v) => v.field),
      ['message.apns.headers.apns-priority'],
    );
  });
  it('when android.priority comes in lower case, then it is sent as the enum name', () => {
    const m = buildFcmMessage({ ...base, title: 'T', android: { priority: 'high' } }, 0);
    assert.equal(m.android?.priority, 'HIGH');
    const n = buildFcmMessage({ ...base, title: 'T', android: { priority: 'normal' } }, 0);
    assert.equal(n.android?.priority, 'NORMAL');
  });
  it('when the target is a topic, then the message addresses the topic', () => {
    const m = buildFcmMessage({ ...base, target: { topic: 'news' }, title: 'T' }, 0);
    assert.equal(m.topic, 'news');
    assert.equal(m.token, undefined);
  });
});
