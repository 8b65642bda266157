/**
 * `rateLimits/{uid}`: one small document per user holding the current fixed window (see
 * core/rate-limit.ts). Clients can neither read nor write it (firestore.rules).
 */
import { Timestamp, type Firestore } from 'firebase-admin/firestore';
import { decideRateLimit, type RateWindow } from '../core/rate-limit';
import type { RateLimitStore } from '../use-cases/ports';

export const RATE_LIMITS = 'rateLimits';

export type { RateLimitStore };

function windowOf(data: FirebaseFirestore.DocumentData | undefined): RateWindow | undefined {
  const start = data?.windowStart;
  const count = data?.count;
  if (!(start instanceof Timestamp) || typeof count !== 'number') return undefined;
  return { windowStartMs: start.toMillis(), count };
}

const GRPC_ALREADY_EXISTS = 6;
const GRPC_FAILED_PRECONDITION = 9;
/** Lost races in a row before a call is refused as too concurrent (see below). */
const MAX_ATTEMPTS = 25;

/**
 * Read, decide, then write only if the document is still the version we read (`create` when it
 * did not exist, `update` with the read's update time as precondition), retrying on a lost race.
 * This is a one-document optimistic transaction: concurrent calls of one user cannot overshoot
 * the limit, since every allowed call is a successful compare-and-set on the count it read.
 * Why not `runTransaction`: its reads take locks, so a burst of one user's calls queues on the
 * counter (seconds per call on the emulator, with lock timeouts), while here a denied call only
 * reads, and once the window is full the burst costs one read per call and blocks nobody.
 */
export function createRateLimitStore(db: Firestore): RateLimitStore {
  const col = db.collection(RATE_LIMITS);
  return {
    async take(uid, nowMs, policy) {
      const ref = col.doc(uid);
      for (let attempt = 1; attempt <= MAX_ATTEMPTS; attempt++) {
        const snap = await ref.get();
        const decision = decideRateLimit(windowOf(snap.data()), nowMs, policy);
        if (!decision.allowed) return decision; // A denied call writes nothing.
        const fields = {
          windowStart: Timestamp.fromMillis(decision.next.windowStartMs),
          count: decision.next.count,
          // For a Firestore TTL policy on rateLimits.expiresAt: idle users' documents go away.
          expiresAt: Timestamp.fromMillis(decision.next.windowStartMs + policy.windowMs),
        };
        try {
          if (snap.exists && snap.updateTime) {
            await ref.update(fields, { lastUpdateTime: snap.updateTime });
          } else {
            await ref.create(fields);
          }
          return decision;
        } catch (err) {
          const code = (err as { code?: unknown }).code;
          if (code !== GRPC_FAILED_PRECONDITION && code !== GRPC_ALREADY_EXISTS) throw err;
          // Another call of this user counted first: read again and decide on the new count.
        }
      }
      // Only a user firing many calls at the same instant loses this often: refuse, briefly.
      return { allowed: false, retryAfterSeconds: 1 };
    },
  };
}
