import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { decideExpansion, deliveryIdOf } from '../../../functions/src/core/notification';
import { planRequest } from '../../../functions/src/core/push';
import { keyScopeOf, orderKeyEvent } from '../../../functions/src/core/push-key';

const ctx = { eventId: 'ev', nowMs: 1000, source: { path: 'orders/1', check: 'c' } };

describe('planRequest', () => {
  it('when a request names a user, then it becomes one notification, not pushes', () => {
    const e = planRequest(0, { to: { uid: 'u' }, title: 'x' }, ctx);
    assert.equal(e.kind, 'notification');
    assert.equal(e.kind === 'notification' && e.notification.uid, 'u');
    assert.equal(e.kind === 'notification' && e.notification.reservedAtMs, 1000);
  });

  it('when a request names a topic with the /topics/ prefix, then the push targets the bare topic', () => {
    const e = planRequest(2, { to: { topic: '/topics/news' }, title: 'x' }, ctx);
    assert.deepEqual(e.kind === 'push' && e.push.target, { topic: 'news' });
  });

  it('when the same event and index are planned again, then the ids are the same', () => {
    const a = planRequest(1, { to: { uid: 'u' }, title: 'x' }, ctx);
    const b = planRequest(1, { to: { uid: 'u' }, title: 'y' }, ctx);
    assert.equal(
      a.kind === 'notification' && a.notification.id,
      b.kind === 'notification' && b.notification.id,
    );
  });
});

describe('decideExpansion', () => {
  const devices = [
    { tokenId: 't1', token: 'phone' },
    { tokenId: 't2', token: 'tablet' },
  ];
  const settings = { nowMs: 5000, maxAttempts: 3 };
  // No preferences: each device gets the request's own text now (core/preferences decides).
  const now = { kind: 'send', text: {} };

  it('when the user has devices, then one delivery per device with ids from notification + token id', () => {
    const d = decideExpansion({ id: 'n1', attempts: 1 }, devices, settings);
    assert.deepEqual(d, {
      kind: 'expand',
      deliveries: [
        { id: deliveryIdOf('n1', 't1'), token: 'phone', tokenId: 't1', decision: now },
        { id: deliveryIdOf('n1', 't2'), token: 'tablet', tokenId: 't2', decision: now },
      ],
    });
  });

  it('when the user has no device when it is due, then it is undeliverable', () => {
    assert.deepEqual(decideExpansion({ id: 'n1', attempts: 1 }, [], settings), {
      kind: 'no-devices',
    });
  });

  it('when it expired before it was due, then it expires whatever the devices', () => {
    assert.deepEqual(
      decideExpansion({ id: 'n1', attempts: 1, expiresAtMs: 5000 }, devices, settings),
      {
        kind: 'expire',
      },
    );
  });

  it('when earlier expansions died more than MAX_ATTEMPTS times, then it stops', () => {
    assert.deepEqual(decideExpansion({ id: 'n1', attempts: 4 }, devices, settings), {
      kind: 'exhausted',
    });
  });

  it('when two notifications reach the same device, then their delivery ids differ', () => {
    assert.notEqual(deliveryIdOf('n1', 't1'), deliveryIdOf('n2', 't1'));
  });
});

describe('orderKeyEvent', () => {
  const e = (eventId: string, eventTimeMs: number) => ({ eventId, eventTimeMs });

  it('when nothing is recorded, then the event is the first', () => {
    assert.equal(orderKeyEvent(undefined, e('a', 1)), 'first');
  });
  it('when the recorded event comes again, then it is a replay', () => {
    assert.equal(orderKeyEvent(e('a', 1), e('a', 1)), 'replay');
  });
  it('when an older event arrives after a newer one, then it is stale', () => {
    assert.equal(orderKeyEvent(e('b', 2), e('a', 1)), 'stale');
  });
  it('when a newer event arrives, then it is newer', () => {
    assert.equal(orderKeyEvent(e('a', 1), e('b', 2)), 'newer');
  });
  it('when two events have the same time, then the event id decides, the same way everywhere', () => {
    assert.equal(orderKeyEvent(e('a', 1), e('b', 1)), 'newer');
    assert.equal(orderKeyEvent(e('b', 1), e('a', 1)), 'stale');
  });
});

describe('keyScopeOf', () => {
  it('when two users use the same key, then their scopes differ', () => {
    assert.notEqual(keyScopeOf({ uid: 'a' }), keyScopeOf({ uid: 'b' }));
  });
  it('when a topic is named with or without /topics/, then the scope is the same', () => {
    assert.equal(keyScopeOf({ topic: '/topics/news' }), keyScopeOf({ topic: 'news' }));
  });
});
