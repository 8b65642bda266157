/**
 * The local FCM v1 server plus our real FCM client pointed at it, with a fixed access token
 * (token caching itself is tested in test/integration/fcm against the metadata server).
 */
import {
  createAccessTokenProvider,
  createFcmSender,
  type FcmSender,
} from '../../functions/src/fcm';
import {
  startFcmServer,
  type FcmServer,
  type FcmServerOptions,
} from '../../tools/local-google/fcm-server';

export interface LocalFcm {
  server: FcmServer;
  sender: FcmSender;
  /** Accepted pushes per push id (from data.push_id). */
  acceptedByPushId(): Map<string, number>;
  close(): Promise<void>;
}

export async function startLocalFcm(
  options: FcmServerOptions & { concurrency?: number; timeoutMs?: number } = {},
): Promise<LocalFcm> {
  const { concurrency, timeoutMs, ...serverOptions } = options;
  const server = await startFcmServer({ acceptAnyToken: true, ...serverOptions });
  const sender = createFcmSender({
    projectId: 'demo-push',
    endpoint: server.url,
    tokenProvider: createAccessTokenProvider({
      source: async () => ({ token: 'local-test-token', expiresAtMs: Date.now() + 3_600_000 }),
    }),
    concurrency: concurrency ?? 50,
    timeoutMs: timeoutMs ?? 2_000,
  });
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

/** A clock tests move by hand: every component reads it, nobody sleeps. */
export function manualClock(startMs = Date.now()) {
  let t = startMs;
  return {
    now: () => t,
    advance(ms: number) {
      t += ms;
    },
    set(ms: number) {
      t = ms;
    },
  };
}
