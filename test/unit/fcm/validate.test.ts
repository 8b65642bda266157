import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import {
  MAX_PAYLOAD_BYTES,
  MAX_TOPIC_PAYLOAD_BYTES,
  isApnsBackground,
  payloadByteLength,
  payloadBytesByPlatform,
  validateFcmMessage,
} from '../../../functions/src/fcm/validate';
import type { FcmMessage } from '../../../functions/src/fcm/types';

const fields = (message: unknown): string[] => validateFcmMessage(message).map((v) => v.field);

/** A token message whose payload is exactly `bytes` long, padded through one data value. */
function messageOfPayloadBytes(bytes: number, fill = 'a'): FcmMessage {
  const base: FcmMessage = { token: 'tok', data: { pad: '' } };
  const overhead = payloadByteLength(base);
  const unit = Buffer.byteLength(fill);
  const count = Math.floor((bytes - overhead) / unit);
  const rest = bytes - overhead - count * unit;
  return { token: 'tok', data: { pad: fill.repeat(count) + 'a'.repeat(rest) } };
}

describe('validateFcmMessage', () => {
  it('when the message is complete and valid, then there are no violations', () => {
    const message: FcmMessage = {
      token: 'device-token',
      notification: { title: 'Hi', body: 'There' },
      data: { orderId: '42' },
      android: { priority: 'HIGH', ttl: '3600s', collapse_key: 'orders', data: { a: 'b' } },
      apns: { headers: { 'apns-priority': '10' }, payload: { aps: { badge: 1 } } },
      webpush: { fcm_options: { link: 'https://example.com/o/42' } },
    };
    assert.deepEqual(validateFcmMessage(message), []);
  });

  it('when the message is not an object, then the message itself is the violation', () => {
    assert.deepEqual(fields(null), ['message']);
    assert.deepEqual(fields('hi'), ['message']);
  });

  it('when there is no target, then it asks for exactly one', () => {
    const [violation] = validateFcmMessage({ notification: { title: 't' } });
    assert.deepEqual(violation, {
      field: 'message',
      description: 'exactly one of token, topic or condition is required',
    });
  });

  it('when there are two targets, then it names them', () => {
    const [violation] = validateFcmMessage({ token: 't', topic: 'news' });
    assert.match(violation!.description, /got token, topic/);
  });

  it('when the token is empty or has whitespace, then message.token is the violation', () => {
    assert.deepEqual(fields({ token: '' }), ['message.token']);
    assert.deepEqual(fields({ token: 'abc def' }), ['message.token']);
    assert.deepEqual(fields({ token: 42 }), ['message.token']);
  });

  it('when the topic has the /topics/ prefix or bad characters, then message.topic is the violation', () => {
    assert.deepEqual(fields({ topic: '/topics/news' }), ['message.topic']);
    assert.deepEqual(fields({ topic: 'news!' }), ['message.topic']);
    assert.deepEqual(fields({ topic: 'a'.repeat(901) }), ['message.topic']);
    assert.deepEqual(fields({ topic: 'news-KR_1.0~%' }), []);
  });

  it('when a condition is given, then it is accepted as the target', () => {
    assert.deepEqual(fields({ condition: "'a' in topics && 'b' in topics" }), []);
  });

  it('when a data value is not a string, then the path names the key', () => {
    assert.deepEqual(fields({ token: 't', data: { count: 3, ok: 'yes', flag: true } }), [
      'message.data.count',
      'message.data.flag',
    ]);
    assert.deepEqual(fields({ token: 't', android: { data: { n: 1 } } }), [
      'message.android.data.n',
    ]);
    assert.deepEqual(fields({ token: 't', webpush: { data: { n: null } } }), [
      'message.webpush.data.n',
    ]);
    assert.deepEqual(fields({ token: 't', data: ['x'] }), ['message.data']);
  });

  it('when data uses a key FCM reserves, then it is rejected in every data map', () => {
    // REST reference, Message.data: "from", "message_type", "google.*", "gcm.notification.*".
    for (const key of ['from', 'message_type', 'google.c.a', 'gcm.notification.title']) {
      assert.deepEqual(fields({ token: 't', data: { [key]: 'v' } }), [`message.data.${key}`], key);
      assert.deepEqual(
        fields({ token: 't', android: { data: { [key]: 'v' } } }),
        [`message.android.data.${key}`],
        key,
      );
      assert.deepEqual(
        fields({ token: 't', webpush: { data: { [key]: 'v' } } }),
        [`message.webpush.data.${key}`],
        key,
      );
    }
  });

  it('when data keys are not reserved by FCM (notification, gcm.*, other case), then they are accepted', () => {
    // "notification" is an ordinary data key for FCM; reservation is case-sensitive.
    const data = {
      notification: 'a',
      'gcm.n.e': 'b',
      FROM: 'c',
      Message_Type: 'd',
      'Google.x': 'e',
      fromUser: 'f',
      google: 'g',
    };
    assert.deepEqual(fields({ token: 't', data }), []);
  });

  it('when the payload is exactly 4096 bytes, then it is accepted', () => {
    const message = messageOfPayloadBytes(MAX_PAYLOAD_BYTES);
    assert.equal(payloadByteLength(message), MAX_PAYLOAD_BYTES);
    assert.deepEqual(validateFcmMessage(message), []);
  });

  it('when the payload is 4097 bytes, then it is rejected with its size', () => {
    const message = messageOfPayloadBytes(MAX_PAYLOAD_BYTES + 1);
    assert.deepEqual(validateFcmMessage(message), [
      {
        field: 'message',
        description:
          'payload is 4097 bytes (android, apns, webpush), more than the 4096-byte limit',
      },
    ]);
  });

  it('when a 1,300-byte body is mirrored into the APNs alert and web push, then it is accepted', () => {
    // Platform blocks override the common fields for their platform: one payload per platform.
    const body = 'b'.repeat(1300);
    const message: FcmMessage = {
      token: 'device',
      notification: { title: 'T', body },
      data: { orderId: '42', push_id: 'x'.repeat(32) },
      android: { notification: { body, tag: 'x'.repeat(32) } },
      apns: {
        headers: { 'apns-priority': '10' },
        payload: { aps: { alert: { title: 'T', body } } },
      },
      webpush: { notification: { title: 'T', body } },
    };
    assert.deepEqual(validateFcmMessage(message), []);
    const sizes = payloadBytesByPlatform(message);
    for (const bytes of Object.values(sizes)) assert.ok(bytes > 2600 && bytes < 2800, `${bytes}`);
  });

  it('when one platform alone goes over the limit, then that platform is named', () => {
    const message: FcmMessage = {
      token: 'device',
      notification: { body: 'b'.repeat(2000) },
      apns: { payload: { aps: { alert: { body: 'b'.repeat(2200) } } } },
    };
    assert.deepEqual(fields(message), ['message']);
    assert.match(validateFcmMessage(message)[0]!.description, /\(apns\)/);
  });

  it('when a message goes to a topic or condition, then the limit is 2,048 bytes', () => {
    // ErrorCode reference: "4096 bytes for most messages, or 2048 bytes in the case of messages
    // to topics".
    const at = messageOfPayloadBytes(MAX_TOPIC_PAYLOAD_BYTES);
    const over = messageOfPayloadBytes(MAX_TOPIC_PAYLOAD_BYTES + 1);
    const atPayload = { ...at, token: undefined };
    const overPayload = { ...over, token: undefined };
    assert.deepEqual(validateFcmMessage({ topic: 'news', ...atPayload }), []);
    assert.deepEqual(validateFcmMessage({ condition: "'a' in topics", ...atPayload }), []);
    assert.deepEqual(fields({ topic: 'news', ...overPayload }), ['message']);
    assert.match(
      validateFcmMessage({ topic: 'news', ...overPayload })[0]!.description,
      /2049 bytes .* 2048-byte limit for messages to topics/,
    );
    assert.deepEqual(validateFcmMessage(over), []);
  });

  it('when the payload has multi-byte characters, then bytes are counted, not characters', () => {
    const message = messageOfPayloadBytes(MAX_PAYLOAD_BYTES + 2, '한');
    assert.ok(JSON.stringify(message.data).length < MAX_PAYLOAD_BYTES);
    assert.deepEqual(fields(message), ['message']);
  });

  it('when the target is long, then it does not count against the payload', () => {
    const message = messageOfPayloadBytes(MAX_PAYLOAD_BYTES);
    assert.deepEqual(validateFcmMessage({ ...message, token: 'x'.repeat(500) }), []);
  });

  it('when android.priority is "normal" or "high" in either case, then it is accepted', () => {
    // REST reference: AndroidConfig.priority "Can take "normal" and "high" values".
    for (const priority of ['normal', 'high', 'NORMAL', 'HIGH']) {
      assert.deepEqual(fields({ token: 't', android: { priority } }), [], priority);
    }
    for (const priority of ['urgent', 'High', '', 10]) {
      assert.deepEqual(
        fields({ token: 't', android: { priority } }),
        ['message.android.priority'],
        String(priority),
      );
    }
  });

  it('when a data-only message asks Apple devices for apns-priority 10, then it is refused', () => {
    // REST reference, Message.data: for data-only payloads to iOS "only normal priority
    // ("apns-priority": "5") is allowed"; FCM answers INVALID_ARGUMENT.
    for (const name of ['apns-priority', 'APNs-Priority']) {
      assert.deepEqual(
        fields({ token: 't', data: { a: 'b' }, apns: { headers: { [name]: '10' } } }),
        ['message.apns.headers.apns-priority'],
      );
    }
    const aps = { 'content-available': 1 };
    assert.deepEqual(
      fields({
        topic: 'news',
        data: { a: 'b' },
        apns: { headers: { 'apns-priority': '10' }, payload: { aps } },
      }),
      ['message.apns.headers.apns-priority'],
    );
  });

  it('when apns-priority 10 goes with a notification or an alert, sound or badge, then it is accepted', () => {
    const headers = { 'apns-priority': '10' };
    assert.deepEqual(fields({ token: 't', notification: { title: 'T' }, apns: { headers } }), []);
    for (const aps of [{ alert: 'Hi' }, { sound: 'default' }, { badge: 3 }]) {
      assert.deepEqual(
        fields({ token: 't', data: { a: 'b' }, apns: { headers, payload: { aps } } }),
        [],
      );
    }
    assert.deepEqual(
      fields({ token: 't', data: { a: 'b' }, apns: { headers: { 'apns-priority': '5' } } }),
      [],
    );
    assert.equal(isApnsBackground({ data: { a: 'b' } } as FcmMessage), true);
    assert.equal(isApnsBackground({ notification: {} } as FcmMessage), false);
  });

  it('when the Android TTL is in range, then it is accepted', () => {
    for (const ttl of ['0s', '1s', '1.5s', '86400s', '2419200s']) {
      assert.deepEqual(fields({ token: 't', android: { ttl } }), [], ttl);
    }
  });

  it('when the Android TTL is out of range or malformed, then message.android.ttl is the violation', () => {
    for (const ttl of ['2419201s', '3600', '-1s', '1h', '', 3600]) {
      assert.deepEqual(
        fields({ token: 't', android: { ttl } }),
        ['message.android.ttl'],
        String(ttl),
      );
    }
  });

  it('when platform options have wrong types, then each path is named', () => {
    assert.deepEqual(
      fields({
        token: 't',
        notification: { title: 1 },
        android: { priority: 'URGENT' },
        apns: { headers: { 'apns-priority': 10 } },
        webpush: { fcm_options: { link: 'http://insecure.example' } },
      }),
      [
        'message.notification.title',
        'message.android.priority',
        'message.apns.headers.apns-priority',
        'message.webpush.fcm_options.link',
      ],
    );
  });
});
