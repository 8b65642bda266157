/**
 * The "token moved between users" fault: while drains run, a phone changes hands. A seeded share
 * of the tokens of users with notifications moves to another user through the real token store,
 * either the way registerToken moves it (the new user's save takes it over) or the way a sign-out
 * and a sign-in do (the old user's deleteIfOwnedBy, then the new user's save). Some moves happen
 * at seeded moments, others right when FCM first receives one of the old user's deliveries to
 * that token (FCM answers 503 then, so the delivery waits to retry while the phone changes hands).
 *
 * Each move records Firestore's own times, so the audit compares commit times only: when the
 * token stopped being the old user's and when it became the new user's. A delivery is
 * misdelivered when FCM accepted it and its claim (claimCommittedAt) committed while its token
 * did not belong to its user.
 */
import { Timestamp, type Firestore } from 'firebase-admin/firestore';
import { PUSH_TOKENS, type TokenStore } from '../../functions/src/adapters/token-store';
import { seededUnit, sleep } from './shared';

export type MoveHow =
  /** The new user registers the phone's token (registerToken's save moves it). */
  | 'register'
  /** The old user signs out (deleteIfOwnedBy), then the new user registers it. */
  | 'sign-out';

export interface TokenMovePlan {
  /** Move number, in plan order. */
  n: number;
  token: string;
  tokenId: string;
  from: string;
  to: string;
  how: MoveHow;
  /** At a seeded moment of the drain phase, or when FCM first receives a delivery to it. */
  when: 'timed' | 'on-send';
  /** For timed moves: where in the move window (0..1). */
  atFraction: number;
}

export interface TokenMove {
  plan: TokenMovePlan;
  /**
   * From then on the token is not `from`'s: the move's commit time (register), or for a sign-out
   * the read time of the first read that saw the token gone (at most milliseconds after the
   * delete's commit, which firebase-admin does not return).
   */
  leftAt: Timestamp;
  /** Until then the token was surely `from`'s (sign-out: a read just before the delete). */
  leftAfter: Timestamp;
  /** The new user's registration's commit time (the token's update time after it). */
  ownedFrom: Timestamp;
}

/** Picks the moves: a seeded share of the candidates, each to a fresh user or another user. */
export function planTokenMoves(
  seed: number,
  candidates: ReadonlyArray<{ index: number; token: string; tokenId: string; uid: string }>,
  otherUsers: readonly string[],
  share: number,
): TokenMovePlan[] {
  const plans: TokenMovePlan[] = [];
  for (const c of candidates) {
    if (seededUnit(seed, 'move', c.index) >= share) continue;
    const n = plans.length;
    let to = `chaos-moved-${n}`;
    if (otherUsers.length > 1 && seededUnit(seed, 'move-to-user', c.index) < 0.5) {
      const at = Math.floor(seededUnit(seed, 'move-to', c.index) * otherUsers.length);
      to = otherUsers[at] === c.uid ? otherUsers[(at + 1) % otherUsers.length]! : otherUsers[at]!;
    }
    plans.push({
      n,
      token: c.token,
      tokenId: c.tokenId,
      from: c.uid,
      to,
      how: seededUnit(seed, 'move-how', c.index) < 0.5 ? 'register' : 'sign-out',
      // Every third move waits for FCM to see a delivery to the token: never none in a run.
      when: n % 3 === 0 ? 'on-send' : 'timed',
      atFraction: seededUnit(seed, 'move-at', c.index),
    });
  }
  return plans;
}

/** gRPC ABORTED: the emulator's "Transaction lock timeout" once the SDK's own retries are spent. */
const GRPC_ABORTED = 10;
const MOVE_ATTEMPTS = 10;

/**
 * Runs `step` again when its transaction was aborted (not committed), as an app retries a failed
 * registerToken / unregisterToken call; counts the retries.
 */
async function retryAborted<T>(step: () => Promise<T>, counter: { retries: number }): Promise<T> {
  for (let attempt = 1; ; attempt++) {
    try {
      return await step();
    } catch (err) {
      if ((err as { code?: unknown }).code !== GRPC_ABORTED || attempt >= MOVE_ATTEMPTS) throw err;
      counter.retries++;
      await sleep(50 * attempt);
    }
  }
}

/** A token that can never be owned again in this run (a sign-out whose new owner never came). */
const NEVER = new Timestamp(253402300799, 0);

export interface MoveOutcome {
  /** What changed hands, if anything did (a sign-out alone counts: the old user lost it). */
  move?: TokenMove;
  /** Why the move did not complete, when it did not. */
  failed?: string;
  /** Aborted transactions retried on the way. */
  retries: number;
}

/** Moves the token as planned through the real token store and reads Firestore's times. */
export async function moveToken(
  db: Firestore,
  tokens: TokenStore,
  plan: TokenMovePlan,
): Promise<MoveOutcome> {
  const ref = db.collection(PUSH_TOKENS).doc(plan.tokenId);
  const counter = { retries: 0 };
  const why = (err: unknown) => (err instanceof Error ? err.message : String(err));
  let signedOut: { leftAfter: Timestamp; leftAt: Timestamp } | undefined;
  if (plan.how === 'sign-out') {
    try {
      signedOut = await retryAborted(async () => {
        const before = await ref.get();
        const deleted = await tokens.deleteIfOwnedBy(plan.from, plan.tokenId);
        const gone = await ref.get();
        if (!deleted || gone.exists) {
          throw new Error(`${plan.from} could not sign the token out`);
        }
        return { leftAfter: before.readTime, leftAt: gone.readTime };
      }, counter);
    } catch (err) {
      return { failed: `move ${plan.n}: sign-out: ${why(err)}`, retries: counter.retries };
    }
  }
  try {
    const saved = await retryAborted(
      () => tokens.save(plan.to, plan.tokenId, { token: plan.token, platform: 'android' }, 10),
      counter,
    );
    const after = await ref.get();
    if (!after.exists || after.get('uid') !== plan.to || !after.updateTime) {
      throw new Error(`the token is not ${plan.to}'s after registering it`);
    }
    if (!signedOut && !saved.movedFromAnotherUser) {
      throw new Error(`registering did not take the token over from ${plan.from}`);
    }
    const ownedFrom = after.updateTime;
    return {
      move: {
        plan,
        leftAt: signedOut?.leftAt ?? ownedFrom,
        leftAfter: signedOut?.leftAfter ?? ownedFrom,
        ownedFrom,
      },
      retries: counter.retries,
    };
  } catch (err) {
    const failed = `move ${plan.n}: register: ${why(err)}`;
    // Signed out but never registered again: the old user lost it all the same.
    if (signedOut)
      return { move: { plan, ...signedOut, ownedFrom: NEVER }, failed, retries: counter.retries };
    return { failed, retries: counter.retries };
  }
}

export function compareTimestamps(a: Timestamp, b: Timestamp): number {
  return a.seconds - b.seconds || a.nanoseconds - b.nanoseconds;
}

/**
 * Whether `uid` owned the token at commit time `at`: by its first owner until a move, then by
 * the user it moved to. 'unsure' only inside a sign-out's few milliseconds (see TokenMove).
 */
export function ownershipAt(
  firstOwner: string | undefined,
  move: TokenMove | undefined,
  uid: string,
  at: Timestamp,
): 'owned' | 'not-owned' | 'unsure' {
  if (!move) return uid === firstOwner ? 'owned' : 'not-owned';
  if (uid === move.plan.from) {
    if (compareTimestamps(at, move.leftAfter) <= 0) return 'owned';
    return compareTimestamps(at, move.leftAt) > 0 ? 'not-owned' : 'unsure';
  }
  if (uid === move.plan.to) {
    return compareTimestamps(at, move.ownedFrom) >= 0 ? 'owned' : 'not-owned';
  }
  return 'not-owned';
}
