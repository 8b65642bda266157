/**
 * The local stand-ins for Google as a pair: a metadata server and a local FCM v1 server that only
 * accepts the access tokens that metadata server issued, so a client's real credential path
 * (google-auth-library's Compute client, or the CLI's local token source) is exercised end to end.
 */
import { LOCAL_PROJECT_ID, localEnv } from '../local-env/local-env';
import { startFcmServer, type FcmServer, type FcmServerOptions } from './fcm-server';
import { startMetadataServer, type MetadataServer } from './metadata-server';

export interface LocalGoogle {
  fcm: FcmServer;
  metadata: MetadataServer;
  close(): Promise<void>;
}

/** The pair on the given ports (free ones when left out), for project `projectId`. */
export async function startLocalGoogle(
  options: {
    projectId?: string;
    metadata?: { port?: number; host?: string };
    /** FCM server options; `isTokenValid` is the metadata server's unless given. */
    fcm?: FcmServerOptions;
  } = {},
): Promise<LocalGoogle> {
  const metadata = await startMetadataServer({
    ...options.metadata,
    projectId: options.projectId ?? LOCAL_PROJECT_ID,
  });
  let fcm: FcmServer;
  try {
    fcm = await startFcmServer({ isTokenValid: metadata.isIssued, ...options.fcm });
  } catch (err) {
    await metadata.close();
    throw err;
  }
  return {
    fcm,
    metadata,
    async close() {
      await fcm.close();
      await metadata.close();
    },
  };
}

/**
 * The pair on the local project's fixed ports, the ones functions/.env.<local project> gives the
 * functions running in the emulator (FCM_ENDPOINT, GCE_METADATA_HOST).
 */
export function startDemoGoogle(fcm: Omit<FcmServerOptions, 'port'> = {}): Promise<LocalGoogle> {
  const env = localEnv();
  return startLocalGoogle({
    metadata: { port: env.metadata.port, host: env.metadata.host },
    fcm: { ...fcm, port: env.fcm.port, host: env.fcm.host },
  });
}
