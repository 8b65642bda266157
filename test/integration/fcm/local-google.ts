/**
 * Shared setup for FCM integration tests: a local metadata server reached by the real
 * google-auth-library Compute path (GCE_METADATA_HOST), and a local FCM v1 server that only
 * accepts the tokens that metadata server issued.
 */
import { afterEach, beforeEach } from 'node:test';
import { createGoogleAccessTokenProvider } from '../../../functions/src/fcm/access-token';
import type {
  AccessTokenProvider,
  AccessTokenProviderOptions,
} from '../../../functions/src/fcm/access-token';
import { createFcmSender } from '../../../functions/src/fcm/client';
import type { FcmSender } from '../../../functions/src/fcm/types';
import { LOCAL_PROJECT_ID } from '../../../tools/local-env/local-env';
import { startLocalGoogle as startServers } from '../../../tools/local-google/demo-google';
import type { FcmServer, FcmServerOptions } from '../../../tools/local-google/fcm-server';
import type { MetadataServer } from '../../../tools/local-google/metadata-server';

export interface LocalGoogle {
  metadata: MetadataServer;
  fcm: FcmServer;
  /**
   * A token provider over a fresh GoogleAuth (its own Compute client and cache). GoogleAuth is
   * created inside functions/src so that it is the google-auth-library functions/ resolves (10.x),
   * not the older copy hoisted at the root.
   */
  newTokenProvider(
    options?: Omit<AccessTokenProviderOptions, 'source'>,
  ): ReturnType<typeof createGoogleAccessTokenProvider>;
  /**
   * A token provider over user credentials (`authorized_user`, as `gcloud auth
   * application-default login` writes them) refreshed at the metadata server's OAuth endpoint.
   */
  newUserCredentialsProvider(options?: {
    quotaProjectId?: string;
  }): ReturnType<typeof createGoogleAccessTokenProvider>;
  close(): Promise<void>;
}

const ENV_KEYS = [
  'GCE_METADATA_HOST',
  'METADATA_SERVER_DETECTION',
  'GOOGLE_APPLICATION_CREDENTIALS',
];

export async function startLocalGoogle(fcmOptions: FcmServerOptions = {}): Promise<LocalGoogle> {
  const servers = await startServers({ fcm: fcmOptions });
  const { metadata, fcm } = servers;
  const saved = new Map(ENV_KEYS.map((key) => [key, process.env[key]]));
  // The test runner sets METADATA_SERVER_DETECTION=none; here we do want the metadata server.
  process.env.GCE_METADATA_HOST = metadata.host;
  process.env.METADATA_SERVER_DETECTION = 'ping-only';
  delete process.env.GOOGLE_APPLICATION_CREDENTIALS;
  return {
    metadata,
    fcm,
    newTokenProvider: (options = {}) =>
      createGoogleAccessTokenProvider({
        failureCooldownMs: 0,
        projectId: LOCAL_PROJECT_ID,
        ...options,
      }),
    newUserCredentialsProvider: ({ quotaProjectId } = {}) =>
      createGoogleAccessTokenProvider({
        failureCooldownMs: 0,
        projectId: LOCAL_PROJECT_ID,
        authOptions: {
          credentials: {
            type: 'authorized_user',
            client_id: 'local-client.apps.googleusercontent.com',
            client_secret: 'local-secret',
            refresh_token: 'local-refresh-token',
            ...(quotaProjectId !== undefined ? { quota_project_id: quotaProjectId } : {}),
          },
          clientOptions: { endpoints: { oauth2TokenUrl: `${metadata.url}/token` } },
        },
      }),
    async close() {
      for (const [key, value] of saved) {
        if (value === undefined) delete process.env[key];
        else process.env[key] = value;
      }
      await servers.close();
    },
  };
}

export interface LocalGooglePerTest extends LocalGoogle {
  /** Our FCM client for the local project, sending to this FCM server; closed after the test. */
  senderWith(
    tokenProvider: AccessTokenProvider,
    options?: { concurrency?: number; timeoutMs?: number },
  ): FcmSender;
}

/**
 * For each test of a `describe`: the local servers started before it; they and the senders the
 * test made closed after it (the object is filled in when `beforeEach` runs).
 */
export function useLocalGooglePerTest(): LocalGooglePerTest {
  let senders: FcmSender[] = [];
  const local = {
    senderWith(tokenProvider, options = {}) {
      const sender = createFcmSender({
        projectId: LOCAL_PROJECT_ID,
        endpoint: local.fcm.url,
        tokenProvider,
        ...options,
      });
      senders.push(sender);
      return sender;
    },
  } as LocalGooglePerTest;
  beforeEach(async () => {
    Object.assign(local, await startLocalGoogle());
  });
  afterEach(async () => {
    for (const sender of senders) await sender.close();
    senders = [];
    await local.close();
  });
  return local;
}
