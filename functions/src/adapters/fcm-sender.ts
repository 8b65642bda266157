/**
 * The FCM sender of this function instance: one HTTP/2 connection pool and one cached access token
 * (Application Default Credentials: the runtime service account on Cloud Functions), shared by
 * every invocation the instance serves. Built lazily so cold starts that never send stay cheap.
 */
import { createFcmSender, createGoogleAccessTokenProvider, type FcmSender } from '../fcm';
import { projectId, readSettings } from '../config/params';
import { lazy } from './lazy';

export const fcmSender = lazy((): FcmSender => {
  const settings = readSettings();
  return createFcmSender({
    projectId: projectId(),
    endpoint: settings.fcmEndpoint,
    // projectId given: GoogleAuth need not ask gcloud for it off Google Cloud.
    // A token fetch is bounded like a request, so the lease safety margin (4 x the timeout +
    // 5 s) covers a fetch and a request, twice with the 401 replay.
    tokenProvider: createGoogleAccessTokenProvider({
      projectId: projectId(),
      fetchTimeoutMs: settings.fcmTimeoutMs,
    }),
    concurrency: settings.drainConcurrency,
    timeoutMs: settings.fcmTimeoutMs,
  });
});
