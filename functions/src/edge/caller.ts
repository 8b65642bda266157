import type { CallableRequest } from 'firebase-functions/v2/https';
import type { Caller } from '../use-cases/register-token';

/** The caller as the use cases see it: uid and whether App Check verified the app. */
export function callerOf(request: CallableRequest): Caller | undefined {
  return request.auth
    ? { uid: request.auth.uid, appVerified: request.app !== undefined }
    : undefined;
}
