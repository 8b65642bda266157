/**
 * Access tokens for the local stack: asked straight from the local metadata server that
 * `npm start` runs (the local FCM server accepts only tokens it issued). Asked explicitly rather
 * than through Application Default Credentials, so a developer's real gcloud credentials are never
 * picked up and sent to a local server.
 */
import { FCM_SCOPE, type AccessTokenSource } from '../../../functions/src/fcm';

export function localMetadataTokenSource(host: string): AccessTokenSource {
  const url =
    `http://${host}/computeMetadata/v1/instance/service-accounts/default/token` +
    `?scopes=${encodeURIComponent(FCM_SCOPE)}`;
  return async () => {
    let res: Response;
    try {
      res = await fetch(url, {
        headers: { 'metadata-flavor': 'Google' },
        signal: AbortSignal.timeout(5_000),
      });
    } catch {
      throw new Error(
        `no local metadata server at ${host} (is the local stack running? npm start)`,
      );
    }
    if (!res.ok) throw new Error(`local metadata server ${host} answered HTTP ${res.status}`);
    const body = (await res.json()) as { access_token?: unknown; expires_in?: unknown };
    if (typeof body.access_token !== 'string') {
      throw new Error(`local metadata server ${host} answered without an access token`);
    }
    return {
      token: body.access_token,
      expiresInMs: typeof body.expires_in === 'number' ? body.expires_in * 1000 : undefined,
    };
  };
}
