import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { decideAfterSend } from '../../../functions/src/core/send-decision';
import type { FcmSendError } from '../../../functions/src/fcm/types';

const ctx = { attempts: 1, maxAttempts: 3, nowMs: 1_000_000, backoffBaseMs: 1000, random: 0 };
/** The decision after FCM refused with `error`, in `ctx` changed by `over`. */
const afterFailure = (
  error: FcmSendError,
  over: Partial<typeof ctx> & { expiresAtMs?: number } = {},
) => decideAfterSend({ ok: false, error }, { ...ctx, ...over });

describe('decideAfterSend', () => {
  it('when FCM accepted, then the push is sent with the message id', () => {
    const u = decideAfterSend({ ok: true, messageId: 'projects/p/messages/1' }, ctx);
    assert.deepEqual(u, {
      status: 'sent',
      isSent: true,
      result: { messageId: 'projects/p/messages/1' },
      dropToken: false,
    });
  });
  it('when UNAVAILABLE with Retry-After, then it goes back to pending no sooner than asked', () => {
    const u = afterFailure({
      code: 'UNAVAILABLE',
      message: 'busy',
      httpStatus: 503,
      retryAfterMs: 30_000,
    });
    assert.equal(u.status, 'pending');
    assert.equal(u.nextAttemptAtMs, ctx.nowMs + 30_000);
    assert.deepEqual(u.result, { code: 'UNAVAILABLE', message: 'busy', httpStatus: 503 });
  });
  it('when QUOTA_EXCEEDED without Retry-After, then the retry waits at least a minute', () => {
    const u = afterFailure({ code: 'QUOTA_EXCEEDED', message: 'q', httpStatus: 429 });
    assert.ok(u.nextAttemptAtMs! >= ctx.nowMs + 60_000);
  });
  it('when a transient error happens on the last attempt, then the push has failed', () => {
    const u = afterFailure({ code: 'INTERNAL', message: 'x', httpStatus: 500 }, { attempts: 3 });
    assert.equal(u.status, 'failed');
    assert.equal(u.nextAttemptAtMs, undefined);
  });
  it('when the next retry would fall after expiresAt, then the push expires instead', () => {
    const u = afterFailure(
      { code: 'UNAVAILABLE', message: 'x', httpStatus: 503, retryAfterMs: 10_000 },
      { expiresAtMs: ctx.nowMs + 5_000 },
    );
    assert.equal(u.status, 'expired');
  });
  it('when UNREGISTERED, then the push is rejected and the token dropped', () => {
    const u = afterFailure({ code: 'UNREGISTERED', message: 'gone', httpStatus: 404 });
    assert.equal(u.status, 'rejected');
    assert.equal(u.dropToken, true);
  });
  it('when INVALID_ARGUMENT is about the payload, then it is rejected and the token kept', () => {
    const u = afterFailure({ code: 'INVALID_ARGUMENT', message: 'bad ttl', httpStatus: 400 });
    assert.equal(u.status, 'rejected');
    assert.equal(u.dropToken, false);
  });
  it('when SENDER_ID_MISMATCH, then it is rejected for good', () => {
    const u = afterFailure({ code: 'SENDER_ID_MISMATCH', message: 'm', httpStatus: 403 });
    assert.equal(u.status, 'rejected');
  });
});
