import type { CallableOptions } from 'firebase-functions/v2/https';
import { REGION } from '../config/params';

/**
 * Options shared by the token callables. App Check is enforced in the handler from the
 * ENFORCE_APP_CHECK param (see use-cases/register-token.ts) rather than with `enforceAppCheck`,
 * which firebase-functions 7 evaluates at deploy time when given a param.
 */
export const tokenCallableOptions: CallableOptions = {
  region: REGION,
  // Small, fast handlers: many concurrent requests per instance keep cold starts rare.
  concurrency: 80,
  memory: '256MiB',
};
