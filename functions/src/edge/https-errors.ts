/**
 * The one mapping from domain failures to callable errors. Anything else is an internal error:
 * logged in full here, reported to the client without details.
 */
import { HttpsError } from 'firebase-functions/v2/https';
import * as logger from 'firebase-functions/logger';
import { DomainFailure } from '../core/errors';

export function toHttpsError(err: unknown, event: string): HttpsError {
  if (err instanceof HttpsError) return err;
  if (err instanceof DomainFailure) {
    const e = err.error;
    switch (e.kind) {
      case 'invalid-argument':
        return new HttpsError('invalid-argument', e.message, { field: e.field });
      case 'unauthenticated':
        return new HttpsError('unauthenticated', e.message);
      case 'rate-limited':
        return new HttpsError('resource-exhausted', e.message, {
          retryAfterSeconds: e.retryAfterSeconds,
        });
      case 'app-check-required':
        // The code Firebase itself uses when enforceAppCheck rejects a call.
        return new HttpsError('unauthenticated', e.message);
      case 'permission-denied':
        return new HttpsError('permission-denied', e.message);
      case 'failed-precondition':
        return new HttpsError('failed-precondition', e.message);
      case 'not-found':
        return new HttpsError('not-found', e.message);
    }
  }
  logger.error(event, { error: err instanceof Error ? err.message : String(err) });
  return new HttpsError('internal', 'Internal error; the server logged the details.');
}
