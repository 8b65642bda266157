/**
 * What the chaos parent and its drain children agree on: the virtual clock, seeded randomness,
 * the configuration a child receives and the control messages it sends back on fd 3.
 */
import { createHash } from 'node:crypto';

/**
 * Virtual time shared by every process: it starts at `t0` and runs `speed` times faster than the
 * wall clock. All processes derive it from the same Date.now(), so leases, backoff and
 * Retry-After stay consistent across drains while a 60 s quota wait lasts 60/speed real seconds.
 */
export function virtualClock(t0: number, speed: number): () => number {
  return () => t0 + Math.round((Date.now() - t0) * speed);
}

/** A number in [0, 1) fixed by the seed and the parts: the same question gets the same answer. */
export function seededUnit(seed: number, ...parts: Array<string | number>): number {
  const digest = createHash('sha256')
    .update(`${seed}|${parts.join('|')}`)
    .digest();
  return digest.readUIntBE(0, 6) / 2 ** 48;
}

/** A sequential seeded generator (mulberry32). */
export function prng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** Resolves after `ms` real milliseconds. */
export const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

export const KILL_POINTS = ['after-claim', 'mid-send', 'after-accept'] as const;
export type KillPoint = (typeof KILL_POINTS)[number];

export interface ChildConfig {
  childId: string;
  seed: number;
  projectId: string;
  fcmUrl: string;
  t0: number;
  speed: number;
  /** Virtual milliseconds (see virtualClock). */
  leaseMs: number;
  /** Virtual milliseconds: no FCM request starts this close to a lease's end. */
  leaseSafetyMs: number;
  backoffBaseMs: number;
  timeBudgetMs: number;
  maxAttempts: number;
  batchSize: number;
  /** Real milliseconds: the FCM client's per-request timeout. */
  fcmTimeoutMs: number;
  /** Exit the process at this point of the `atPage`-th page, if given. */
  kill?: { point: KillPoint; atPage: number };
  /**
   * Run as shard workers (drainShard: shard leases, pipelined pages, the shared quota record)
   * over these shards, one after another, instead of one drain over the whole queue.
   */
  shards?: number[];
}

/** Data key the child adds to every message so the parent can match FCM requests to answers. */
export const TAG_KEY = 'chaos_tag';

export type ControlMessage =
  /** Answers the child received for the tagged messages of one page. */
  | {
      event: 'answers';
      answers: Array<{ tag: string; pushId: string; ok: boolean; code?: string }>;
    }
  /** The child is about to exit at a kill point; `inFlight` were sent and never written back. */
  | { event: 'kill'; point: KillPoint; inFlight: Array<{ tag: string; pushId: string }> }
  /**
   * Result writes that lost their precondition (the lease ran out and another run took the push
   * over); `tags` are the messages of this run whose answers those writes carried.
   */
  | { event: 'lease-lost'; pushIds: string[]; tags: string[] }
  | { event: 'done' };
