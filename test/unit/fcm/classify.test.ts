import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import {
  QUOTA_EXCEEDED_MIN_DELAY_MS,
  classifyFcmError,
  isInvalidTokenError,
} from '../../../functions/src/fcm/classify';
import type { ErrorAction, FcmSendError, SendErrorCode } from '../../../functions/src/fcm/types';

const NOW = 1_800_000_000_000;
const err = (code: SendErrorCode, extra: Partial<FcmSendError> = {}): FcmSendError => ({
  code,
  message: 'x',
  ...extra,
});

describe('classifyFcmError', () => {
  const table: Array<[SendErrorCode, Partial<FcmSendError>, ErrorAction['kind']]> = [
    ['UNAVAILABLE', { httpStatus: 503 }, 'retry'],
    ['INTERNAL', { httpStatus: 500 }, 'retry'],
    ['NETWORK_ERROR', {}, 'retry'],
    ['TIMEOUT', {}, 'retry'],
    ['AUTH_ERROR', {}, 'retry'],
    ['QUOTA_EXCEEDED', { httpStatus: 429 }, 'retry'],
    ['UNSPECIFIED_ERROR', { httpStatus: 500 }, 'retry'],
    ['UNSPECIFIED_ERROR', { httpStatus: 404 }, 'fail'],
    ['UNSPECIFIED_ERROR', {}, 'fail'],
    ['UNREGISTERED', { httpStatus: 404 }, 'drop-token'],
    ['INVALID_ARGUMENT', { httpStatus: 400 }, 'fail'],
    ['SENDER_ID_MISMATCH', { httpStatus: 403 }, 'fail'],
    ['THIRD_PARTY_AUTH_ERROR', { httpStatus: 401 }, 'fail'],
    ['NOT_SENT', {}, 'retry'],
  ];
  for (const [code, extra, kind] of table) {
    it(`when the error is ${code}${extra.httpStatus ? ` (HTTP ${extra.httpStatus})` : ''}, then the action is ${kind}`, () => {
      assert.equal(classifyFcmError(err(code, extra)).kind, kind);
    });
  }

  it('when a message was NOT_SENT (deadline), then it is retried with no delay', () => {
    assert.deepEqual(classifyFcmError(err('NOT_SENT'), { now: NOW }), {
      kind: 'retry',
      delayMs: 0,
      notBeforeMs: NOW,
    });
  });

  it('when QUOTA_EXCEEDED has no Retry-After, then the retry waits the 60 s floor', () => {
    assert.deepEqual(classifyFcmError(err('QUOTA_EXCEEDED'), { now: NOW }), {
      kind: 'retry',
      delayMs: QUOTA_EXCEEDED_MIN_DELAY_MS,
      notBeforeMs: NOW + 60_000,
    });
  });

  it('when QUOTA_EXCEEDED asks for less than 60 s, then the floor still applies', () => {
    const action = classifyFcmError(err('QUOTA_EXCEEDED', { retryAfterMs: 5_000 }), { now: NOW });
    assert.deepEqual(action, { kind: 'retry', delayMs: 60_000, notBeforeMs: NOW + 60_000 });
  });

  it('when QUOTA_EXCEEDED asks for more than 60 s, then Retry-After wins', () => {
    const action = classifyFcmError(err('QUOTA_EXCEEDED', { retryAfterMs: 180_000 }), { now: NOW });
    assert.deepEqual(action, { kind: 'retry', delayMs: 180_000, notBeforeMs: NOW + 180_000 });
  });

  it('when UNAVAILABLE carries Retry-After, then the retry honours it', () => {
    const action = classifyFcmError(err('UNAVAILABLE', { retryAfterMs: 7_000 }), { now: NOW });
    assert.deepEqual(action, { kind: 'retry', delayMs: 7_000, notBeforeMs: NOW + 7_000 });
  });

  it('when UNAVAILABLE has no Retry-After, then the retry leaves the delay to the caller', () => {
    assert.deepEqual(classifyFcmError(err('UNAVAILABLE'), { now: NOW }), { kind: 'retry' });
  });

  it('when no clock is given, then the retry has a delay but no absolute time', () => {
    assert.deepEqual(classifyFcmError(err('QUOTA_EXCEEDED')), { kind: 'retry', delayMs: 60_000 });
  });

  it('when INVALID_ARGUMENT says the registration token is invalid, then the token is dropped', () => {
    const error = err('INVALID_ARGUMENT', {
      message: 'The registration token is not a valid FCM registration token',
    });
    assert.equal(isInvalidTokenError(error), true);
    assert.deepEqual(classifyFcmError(error), { kind: 'drop-token' });
  });

  it('when INVALID_ARGUMENT has a field violation on message.token, then the token is dropped', () => {
    const error = err('INVALID_ARGUMENT', {
      message: 'Request contains an invalid argument.',
      fieldViolations: [{ field: 'message.token', description: 'Invalid registration token' }],
    });
    assert.deepEqual(classifyFcmError(error), { kind: 'drop-token' });
  });

  it('when INVALID_ARGUMENT is about the payload, then the push fails and the token stays', () => {
    const error = err('INVALID_ARGUMENT', {
      message: "Invalid value at 'message.data[0].value'",
      fieldViolations: [{ field: 'message.data[0].value', description: 'Invalid value' }],
    });
    assert.equal(isInvalidTokenError(error), false);
    assert.deepEqual(classifyFcmError(error), { kind: 'fail' });
  });

  it('when another code mentions a registration token, then it is not treated as an invalid token', () => {
    assert.equal(
      isInvalidTokenError(err('SENDER_ID_MISMATCH', { message: 'registration token' })),
      false,
    );
  });
});
