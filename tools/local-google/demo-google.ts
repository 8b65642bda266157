/**
 * The local FCM v1 and metadata servers on the fixed ports that functions/.env.demo-push gives
 * the functions running in the emulator (FCM_ENDPOINT, GCE_METADATA_HOST). The FCM server only
 * accepts access tokens the metadata server issued, so the functions' real credential path
 * (google-auth-library's Compute client) is exercised end to end.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { startFcmServer, type FcmServer } from '../../tools/local-google/fcm-server';
import { startMetadataServer, type MetadataServer } from '../../tools/local-google/metadata-server';

export function demoEnv(): Record<string, string> {
  const text = readFileSync(join(__dirname, '..', '..', 'functions', '.env.demo-push'), 'utf8');
  return Object.fromEntries(
    text
      .split('\n')
      .filter((l) => /^[A-Z_]+=/.test(l))
      .map((l) => [l.slice(0, l.indexOf('=')), l.slice(l.indexOf('=') + 1)]),
  );
}

export async function startDemoGoogle(): Promise<{
  fcm: FcmServer;
  metadata: MetadataServer;
  close(): Promise<void>;
}> {
  const env = demoEnv();
  const fcmPort = Number(new URL(env.FCM_ENDPOINT).port);
  const metadataPort = Number(env.GCE_METADATA_HOST.split(':')[1]);
  const metadata = await startMetadataServer({ port: metadataPort, projectId: 'demo-push' });
  const fcm = await startFcmServer({ port: fcmPort, isTokenValid: metadata.isIssued });
  return {
    fcm,
    metadata,
    async close() {
      await fcm.close();
      await metadata.close();
    },
  };
}

/** Polls `probe` until it returns a value (not undefined) or `timeoutMs` passes. */
export async function eventually<T>(
  probe: () => Promise<T | undefined> | T | undefined,
  timeoutMs = 15_000,
  what = 'condition',
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const v = await probe();
    if (v !== undefined) return v;
    if (Date.now() > deadline)
      throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

/** Fires a scheduled function the way Cloud Scheduler would (the emulator does not schedule). */
export async function runScheduled(name: string): Promise<void> {
  const res = await fetch(`http://127.0.0.1:5001/demo-push/asia-northeast3/${name}-0`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: '{}',
  });
  if (!res.ok) throw new Error(`${name}: HTTP ${res.status} ${await res.text()}`);
}
