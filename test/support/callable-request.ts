/**
 * Calling a deployed callable's handler with `.run(request)`, as the Functions runtime does after
 * decoding the call: the request it hands over, and the HttpsError a refused call throws.
 */
import assert from 'node:assert/strict';
import { HttpsError, type CallableRequest } from 'firebase-functions/v2/https';

let uidCounter = 0;

/** A user id no other call in this process has used. */
export function newUid(prefix = 'user'): string {
  return `${prefix}-${process.pid}-${uidCounter++}`;
}

/**
 * A request as the runtime hands it over after verifying the ID token and the App Check token:
 * signed in as `uid` (a new user when absent, nobody when null), with a verified App Check token
 * unless `app` is false.
 */
export function callableRequest(
  data: unknown,
  options: { uid?: string | null; app?: boolean } = {},
): CallableRequest {
  const uid = options.uid === undefined ? newUid() : options.uid;
  return {
    data,
    rawRequest: {} as CallableRequest['rawRequest'],
    acceptsStreaming: false,
    ...(uid !== null ? { auth: { uid, token: { uid } as never, rawToken: 'id-token' } } : {}),
    ...(options.app !== false ? { app: { appId: '1:123:android:abc', token: {} as never } } : {}),
  } as CallableRequest;
}

/** The HttpsError a call was refused with (fails when it was not refused, or otherwise). */
export async function httpsError(p: unknown): Promise<HttpsError> {
  try {
    await p;
  } catch (err) {
    assert.ok(err instanceof HttpsError, `expected an HttpsError, got ${String(err)}`);
    return err;
  }
  assert.fail('expected the call to be refused');
}
