/**
 * The fan-out's state in the local Firestore emulator: whether shard tasks are still waiting or
 * running. The dispatcher (drainReservedPushes) only enqueues tasks, and the Cloud Tasks emulator
 * runs the drainShard workers after it answered; `fireScheduled` waits for them, so a fired drain
 * has drained when it returns, as the single drain had.
 *
 * Read through the emulator's REST API with its `owner` credential: no Admin SDK app needed.
 */
import { localEnv } from '../local-env/local-env';

interface RestDoc {
  name: string;
  fields?: Record<string, { timestampValue?: string; stringValue?: string }>;
}

/** Shard keys whose worker runs (a live lease) or whose task waits (queued), by document id. */
export async function busyShardDocs(nowMs = Date.now()): Promise<string[]> {
  const env = localEnv();
  const url = `${env.firestore.url}/v1/projects/${env.projectId}/databases/(default)/documents/pushQueue?pageSize=300`;
  const res = await fetch(url, { headers: { Authorization: 'Bearer owner' } });
  if (!res.ok) throw new Error(`reading pushQueue: HTTP ${res.status}`);
  const body = (await res.json()) as { documents?: RestDoc[] };
  const busy: string[] = [];
  for (const doc of body.documents ?? []) {
    const id = doc.name.split('/').pop()!;
    if (id === 'quota') continue;
    const f = doc.fields ?? {};
    const leaseUntil = f.leaseUntil?.timestampValue;
    const leased = f.owner?.stringValue && leaseUntil && Date.parse(leaseUntil) > nowMs;
    if (leased || f.queuedAt?.timestampValue) busy.push(id);
  }
  return busy;
}

/**
 * Waits until no shard task waits or runs (or `timeoutMs` passes: a task the emulator dropped
 * must not hang the caller; the next tick enqueues it again). Answers whether it settled.
 */
export async function waitForFanOut(timeoutMs = 60_000, signal?: AbortSignal): Promise<boolean> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline && !signal?.aborted) {
    if ((await busyShardDocs()).length === 0) return true;
    await new Promise((r) => setTimeout(r, 100));
  }
  return false;
}
