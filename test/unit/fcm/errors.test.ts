import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import {
  FCM_ERROR_DETAIL_TYPE,
  getErrorCode,
  parseFcmErrorResponse,
  parseRetryAfter,
} from '../../../functions/src/fcm/errors';
import type { FcmErrorCode } from '../../../functions/src/fcm/types';

const NOW = Date.parse('2026-11-02T10:00:00Z');

/** A body as FCM sends it: google.rpc.Status with an FcmError detail. */
function fcmBody(httpStatus: number, status: string, errorCode?: string, message = 'm'): string {
  const details: unknown[] = errorCode ? [{ '@type': FCM_ERROR_DETAIL_TYPE, errorCode }] : [];
  return JSON.stringify({ error: { code: httpStatus, message, status, details } });
}

const FCM_ANSWERS: Array<[FcmErrorCode, number, string]> = [
  ['UNSPECIFIED_ERROR', 500, 'UNKNOWN'],
  ['INVALID_ARGUMENT', 400, 'INVALID_ARGUMENT'],
  ['UNREGISTERED', 404, 'NOT_FOUND'],
  ['SENDER_ID_MISMATCH', 403, 'PERMISSION_DENIED'],
  ['QUOTA_EXCEEDED', 429, 'RESOURCE_EXHAUSTED'],
  ['UNAVAILABLE', 503, 'UNAVAILABLE'],
  ['INTERNAL', 500, 'INTERNAL'],
  ['THIRD_PARTY_AUTH_ERROR', 401, 'UNAUTHENTICATED'],
];

describe('parseFcmErrorResponse', () => {
  for (const [code, httpStatus, status] of FCM_ANSWERS) {
    it(`when FCM answers ${httpStatus} with an FcmError ${code} detail, then the code is ${code}`, () => {
      const error = parseFcmErrorResponse({
        httpStatus,
        body: fcmBody(httpStatus, status, code, `about ${code}`),
        now: NOW,
      });
      assert.deepEqual(error, { code, message: `about ${code}`, httpStatus, status });
    });
  }

  it('when the FcmError detail and the status disagree, then the detail wins', () => {
    const body = fcmBody(400, 'INVALID_ARGUMENT', 'UNREGISTERED');
    assert.equal(getErrorCode(400, JSON.parse(body).error), 'UNREGISTERED');
  });

  it('when a 401 has no FcmError detail, then it is our own AUTH_ERROR, not THIRD_PARTY_AUTH_ERROR', () => {
    const error = parseFcmErrorResponse({
      httpStatus: 401,
      body: fcmBody(401, 'UNAUTHENTICATED'),
      now: NOW,
    });
    assert.equal(error.code, 'AUTH_ERROR');
  });

  const byStatus: Array<[string, string]> = [
    ['INVALID_ARGUMENT', 'INVALID_ARGUMENT'],
    // Without the FcmError detail these come from Google's front end (wrong project, API
    // disabled, missing IAM permission), not about the token: never UNREGISTERED.
    ['NOT_FOUND', 'UNSPECIFIED_ERROR'],
    ['PERMISSION_DENIED', 'AUTH_ERROR'],
    ['RESOURCE_EXHAUSTED', 'QUOTA_EXCEEDED'],
    ['UNAVAILABLE', 'UNAVAILABLE'],
    ['INTERNAL', 'INTERNAL'],
    ['DEADLINE_EXCEEDED', 'UNAVAILABLE'],
    ['FAILED_PRECONDITION', 'UNSPECIFIED_ERROR'],
  ];
  for (const [status, code] of byStatus) {
    it(`when a JSON error has status ${status} and no detail, then the code is ${code}`, () => {
      assert.equal(
        parseFcmErrorResponse({ httpStatus: 418, body: fcmBody(418, status), now: NOW }).code,
        code,
      );
    });
  }

  it('when the detail carries the legacy APNS_AUTH_ERROR, then it is THIRD_PARTY_AUTH_ERROR, not our AUTH_ERROR', () => {
    // FCM's former name for THIRD_PARTY_AUTH_ERROR (firebase-admin maps it the same way). Its
    // 401/UNAUTHENTICATED must not read as a refused access token.
    const error = parseFcmErrorResponse({
      httpStatus: 401,
      body: fcmBody(401, 'UNAUTHENTICATED', 'APNS_AUTH_ERROR', 'Auth error from APNS'),
      now: NOW,
    });
    assert.deepEqual(error, {
      code: 'THIRD_PARTY_AUTH_ERROR',
      message: 'Auth error from APNS',
      httpStatus: 401,
      status: 'UNAUTHENTICATED',
    });
  });

  it('when the detail carries an unknown errorCode, then the status decides', () => {
    const body = fcmBody(503, 'UNAVAILABLE', 'SOMETHING_NEW');
    assert.equal(parseFcmErrorResponse({ httpStatus: 503, body, now: NOW }).code, 'UNAVAILABLE');
  });

  const byHttpStatus: Array<[number, string]> = [
    [400, 'INVALID_ARGUMENT'],
    [401, 'AUTH_ERROR'],
    // A proxy's or Google front end's 403 is about access, not the push: retried (as a bare
    // PERMISSION_DENIED is), never a dead token; firebase-admin reads it as authentication-error.
    [403, 'AUTH_ERROR'],
    [404, 'UNSPECIFIED_ERROR'],
    [429, 'QUOTA_EXCEEDED'],
    [500, 'INTERNAL'],
    [502, 'UNAVAILABLE'],
    [503, 'UNAVAILABLE'],
    [504, 'UNAVAILABLE'],
    [507, 'INTERNAL'],
  ];
  for (const [httpStatus, code] of byHttpStatus) {
    it(`when a non-JSON body comes with HTTP ${httpStatus}, then the code is ${code}`, () => {
      const body = `<html><body><h1>${httpStatus} Error</h1><p>proxy says no</p></body></html>`;
      const error = parseFcmErrorResponse({ httpStatus, body, now: NOW });
      assert.equal(error.code, code);
      assert.equal(error.httpStatus, httpStatus);
      assert.equal(error.message, `HTTP ${httpStatus}: ${httpStatus} Error proxy says no`);
    });
  }

  it('when the body is JSON but not a Google error, then the HTTP status decides', () => {
    assert.equal(
      parseFcmErrorResponse({ httpStatus: 503, body: '{"oops":1}', now: NOW }).code,
      'UNAVAILABLE',
    );
    assert.equal(
      parseFcmErrorResponse({ httpStatus: 503, body: '"text"', now: NOW }).code,
      'UNAVAILABLE',
    );
  });

  it('when the body is empty, then the message names the HTTP status', () => {
    assert.equal(
      parseFcmErrorResponse({ httpStatus: 502, body: '', now: NOW }).message,
      'HTTP 502',
    );
  });

  it('when the answer has a BadRequest detail, then its field violations are kept', () => {
    const body = JSON.stringify({
      error: {
        code: 400,
        message: "Invalid value at 'message.data[0].value' (TYPE_STRING), 1",
        status: 'INVALID_ARGUMENT',
        details: [
          { '@type': FCM_ERROR_DETAIL_TYPE, errorCode: 'INVALID_ARGUMENT' },
          {
            '@type': 'type.googleapis.com/google.rpc.BadRequest',
            fieldViolations: [{ field: 'message.data[0].value', description: 'Invalid value' }],
          },
        ],
      },
    });
    const error = parseFcmErrorResponse({ httpStatus: 400, body, now: NOW });
    assert.deepEqual(error.fieldViolations, [
      { field: 'message.data[0].value', description: 'Invalid value' },
    ]);
  });

  it('when Retry-After is present, then it is kept in milliseconds', () => {
    const body = fcmBody(429, 'RESOURCE_EXHAUSTED', 'QUOTA_EXCEEDED');
    const error = parseFcmErrorResponse({ httpStatus: 429, body, retryAfter: '120', now: NOW });
    assert.equal(error.retryAfterMs, 120_000);
  });

  it('when Retry-After is absent, then retryAfterMs is absent', () => {
    const body = fcmBody(503, 'UNAVAILABLE', 'UNAVAILABLE');
    assert.equal(
      'retryAfterMs' in parseFcmErrorResponse({ httpStatus: 503, body, now: NOW }),
      false,
    );
  });
});

describe('parseRetryAfter', () => {
  it('when given delay-seconds, then it returns milliseconds', () => {
    assert.equal(parseRetryAfter('30', NOW), 30_000);
    assert.equal(parseRetryAfter(' 0 ', NOW), 0);
    assert.equal(parseRetryAfter('1.5', NOW), 1_500);
  });

  it('when given an HTTP-date, then it returns the time from now until then', () => {
    assert.equal(parseRetryAfter('Mon, 02 Nov 2026 10:01:30 GMT', NOW), 90_000);
  });

  it('when the HTTP-date is in the past, then it returns 0', () => {
    assert.equal(parseRetryAfter('Mon, 02 Nov 2026 09:00:00 GMT', NOW), 0);
  });

  it('when missing, empty or unreadable, then it returns undefined', () => {
    assert.equal(parseRetryAfter(undefined, NOW), undefined);
    assert.equal(parseRetryAfter('', NOW), undefined);
    assert.equal(parseRetryAfter('soon', NOW), undefined);
    assert.equal(parseRetryAfter('-5', NOW), undefined);
  });
});
