/**
 * Requests as a check or an outbox document writes them, through the queue's own steps (parse,
 * build the FCM message, validate it as FCM would): the FCM rules of issue 10, items 1-4, end to
 * end without Firestore. A request FCM accepts must not be refused; one FCM refuses must be.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { buildFcmMessage } from '../../../functions/src/core/push';
import { parsePushRequest } from '../../../functions/src/core/push-request';
import { validateFcmMessage } from '../../../functions/src/fcm/validate';

/** What queuing does with an outbox document: parse, build for one target, validate. */
function queue(doc: Record<string, unknown>): { ok: true } | { ok: false; field: string } {
  const parsed = parsePushRequest(doc);
  if (!parsed.ok) return { ok: false, field: parsed.field };
  const to = parsed.value.to;
  const target = 'uid' in to ? { token: 'device-token' } : to;
  const message = buildFcmMessage({ id: 'p'.repeat(32), target, attempts: 0, ...parsed.value }, 0);
  const [violation] = validateFcmMessage(message);
  return violation ? { ok: false, field: violation.field } : { ok: true };
}

describe('requests through parse, build and validate (FCM wire conformance)', () => {
  it('when a data-only request asks for priority high, then it is queued (Apple gets priority 5)', () => {
    assert.deepEqual(queue({ to: { uid: 'u' }, data: { sync: '1' }, priority: 'high' }), {
      ok: true,
    });
  });

  it('when a data-only request sets apns-priority 10 itself, then it is refused naming the header', () => {
    assert.deepEqual(
      queue({
        to: { uid: 'u' },
        data: { sync: '1' },
        apns: { headers: { 'apns-priority': '10' } },
      }),
      { ok: false, field: 'message.apns.headers.apns-priority' },
    );
  });

  it('when android.priority is written in lower case as FCM documents it, then it is queued', () => {
    for (const priority of ['high', 'normal', 'HIGH', 'High']) {
      assert.deepEqual(queue({ to: { uid: 'u' }, title: 'T', android: { priority } }), {
        ok: true,
      });
    }
    const parsed = parsePushRequest({
      to: { uid: 'u' },
      title: 'T',
      android: { priority: 'high' },
    });
    assert.equal(parsed.ok && parsed.value.android?.priority, 'HIGH');
  });

  it('when android.priority is not a priority, then parsing refuses it naming the field', () => {
    assert.deepEqual(queue({ to: { uid: 'u' }, title: 'T', android: { priority: 'urgent' } }), {
      ok: false,
      field: 'android.priority',
    });
  });

  it('when data has a key named notification, then it is queued; from is refused', () => {
    assert.deepEqual(queue({ to: { uid: 'u' }, data: { notification: 'x' } }), { ok: true });
    assert.deepEqual(queue({ to: { uid: 'u' }, data: { from: 'x' } }), {
      ok: false,
      field: 'message.data.from',
    });
  });

  it('when a 1,300-byte body is mirrored into the APNs alert and web push, then it is queued', () => {
    const body = 'b'.repeat(1300);
    assert.deepEqual(
      queue({
        to: { uid: 'u' },
        title: 'Hello',
        content: body,
        data: { orderId: '42' },
        apns: { payload: { aps: { alert: { title: 'Hello', body } } } },
        webpush: { notification: { title: 'Hello', body } },
      }),
      { ok: true },
    );
  });

  it('when a topic request carries more than 2,048 bytes, then it is refused', () => {
    assert.deepEqual(queue({ to: { topic: 'news' }, title: 'T', content: 'c'.repeat(2100) }), {
      ok: false,
      field: 'message',
    });
    assert.deepEqual(queue({ to: { uid: 'u' }, title: 'T', content: 'c'.repeat(2100) }), {
      ok: true,
    });
  });
});
