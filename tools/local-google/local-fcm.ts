/**
 * The local FCM v1 server plus our real FCM client pointed at it, with a fixed access token
 * (token caching itself is tested in test/integration/fcm against the metadata server).
 */
import {
  createAccessTokenProvider,
  createFcmSender,
  type FcmSender,
} from '../../functions/src/fcm';
import { LOCAL_PROJECT_ID } from '../local-env/local-env';
import { startFcmServer, type FcmServer, type FcmServerOptions } from './fcm-server';

export interface LocalFcm {
  server: FcmServer;
  sender: FcmSender;
  /** Accepted pushes per push id (from data.push_id). */
  acceptedByPushId(): Map<string, number>;
  close(): Promise<void>;
}

/**
 * Our FCM client for the local project, sending to the local FCM server at `endpoint` with a fixed
 * bearer token (a server started with `acceptAnyToken` takes it).
 */
export function localFcmSender(
  endpoint: string,
  options: { concurrency?: number; timeoutMs?: number; token?: string } = {},
): FcmSender {
  const token = options.token ?? 'local-test-token';
  return createFcmSender({
    projectId: LOCAL_PROJECT_ID,
    endpoint,
    tokenProvider: createAccessTokenProvider({
      source: async () => ({ token, expiresAtMs: Date.now() + 3_600_000 }),
    }),
    concurrency: options.concurrency ?? 50,
    timeoutMs: options.timeoutMs ?? 2_000,
  });
}

export async function startLocalFcm(
  options: FcmServerOptions & { concurrency?: number; timeoutMs?: number } = {},
): Promise<LocalFcm> {
  const { concurrency, timeoutMs, ...serverOptions } = options;
  const server = await startFcmServer({ acceptAnyToken: true, ...serverOptions });
  const sender = localFcmSender(server.url, { concurrency, timeoutMs });
  return {
    server,
    sender,
    acceptedByPushId() {
      const counts = new Map<string, number>();
      for (const a of server.accepted) {
        const id = (a.message.data as Record<string, string> | undefined)?.push_id ?? '?';
        counts.set(id, (counts.get(id) ?? 0) + 1);
      }
      return counts;
    },
    async close() {
      await sender.close();
      await server.close();
    },
  };
}
