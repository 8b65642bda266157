/** The FCM v1 client: import from here. */
export * from './types';
export { createFcmSender, DEFAULT_FCM_ENDPOINT } from './client';
export type { FcmSenderOptions } from './client';
export { classifyFcmError, isInvalidTokenError, QUOTA_EXCEEDED_MIN_DELAY_MS } from './classify';
export {
  AccessTokenError,
  FCM_SCOPE,
  createAccessTokenProvider,
  createGoogleAccessTokenProvider,
  googleAuthTokenSource,
} from './access-token';
export type {
  AccessTokenProvider,
  AccessTokenSource,
  FetchedAccessToken,
  GoogleAccessTokenProviderOptions,
} from './access-token';
export { getErrorCode, parseFcmErrorResponse, parseRetryAfter } from './errors';
export { validateFcmMessage, payloadByteLength, MAX_PAYLOAD_BYTES } from './validate';
