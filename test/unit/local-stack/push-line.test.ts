import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { pushLine } from '../../../tools/local-stack/push-line';

const at = new Date(2026, 10, 27, 9, 5, 7);

describe('the line npm start prints for each push', () => {
  it('when a push to a device arrives, then the line has time, a short token hash, title and body, never the token', () => {
    const token = 'fcm-device-token:APA91b-0123456789';
    const hash = createHash('sha256').update(token).digest('hex').slice(0, 8);
    const line = pushLine(
      {
        message: {
          token,
          notification: { title: 'Your order has shipped', body: 'Order o-1 is on its way.' },
        },
      },
      at,
    );
    assert.equal(
      line,
      `09:05:07  push  token:${hash}  Your order has shipped  — Order o-1 is on its way.`,
    );
    assert.ok(!line.includes(token));
  });

  it('when a push to a topic has no body, then the topic and title are shown alone', () => {
    assert.equal(
      pushLine({ message: { topic: 'news', notification: { title: 'Hello' } } }, at),
      '09:05:07  push  topic:news      Hello',
    );
  });
});
