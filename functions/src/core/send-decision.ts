/**
 * What becomes of a push after one send attempt (or before it, when it has expired). Pure: the
 * drain applies the returned update and, when asked, deletes the dead token.
 */
import { classifyFcmError } from '../fcm/classify';
import type { SendOutcome } from '../fcm/types';
import { retryDelayMs } from './backoff';
import type { PushStatus } from './push';
import { describeQuiet, type QuietWindow } from './preferences';

export interface PushResult {
  messageId?: string;
  code?: string;
  message?: string;
  httpStatus?: number;
}

export interface PushUpdate {
  status: PushStatus;
  isSent: boolean;
  result: PushResult;
  /** Epoch ms of the next attempt; absent for a final state (the push leaves the queue). */
  nextAttemptAtMs?: number;
  /** The registration token is dead: delete its pushTokens document. */
  dropToken: boolean;
  /** Nothing was sent (the run's deadline came first): give the claim's attempt back. */
  refundAttempt?: boolean;
}

export interface DecisionContext {
  /** Attempts made so far, this one included. */
  attempts: number;
  maxAttempts: number;
  expiresAtMs?: number;
  nowMs: number;
  backoffBaseMs: number;
  random: number;
}

export function expiredUpdate(): PushUpdate {
  return {
    status: 'expired',
    isSent: false,
    result: { code: 'EXPIRED', message: 'expiresAt passed before the push could be sent.' },
    dropToken: false,
  };
}

/**
 * A claim found the push had already used every attempt: earlier runs claimed it and died before
 * writing a result (out of memory, timeout), possibly after FCM accepted it. Sending again could
 * repeat it without end, so it stops here.
 */
export function attemptsExhaustedUpdate(maxAttempts: number): PushUpdate {
  return {
    status: 'failed',
    isSent: false,
    result: {
      code: 'ATTEMPTS_EXHAUSTED',
      message: `Claimed more than MAX_ATTEMPTS (${maxAttempts}) times without a result; not sent again.`,
    },
    dropToken: false,
  };
}

/**
 * The device of a user's delivery no longer belongs to that user (signed out, another user signed
 * in on the phone, or the token is gone): the delivery ends without being sent.
 */
export function notOwnedUpdate(): PushUpdate {
  return {
    status: 'cancelled',
    isSent: false,
    result: {
      code: 'DEVICE_NOT_OWNED',
      message: "The token no longer belongs to the push's user; not sent.",
    },
    dropToken: false,
  };
}

/** The token's owner turned the push's category off: it ends without being sent. */
export function suppressedUpdate(category: string, code: string): PushUpdate {
  return {
    status: 'suppressed',
    isSent: false,
    result: { code, message: `The user turned category "${category}" off; not sent.` },
    dropToken: false,
  };
}

export const QUIET_HOURS_CODE = 'QUIET_HOURS';

/** Why a push waits for quiet hours to end: the result of a deferred push. */
export function quietHoursResult(quiet: QuietWindow, untilMs: number): PushResult {
  return {
    code: QUIET_HOURS_CODE,
    message: `Deferred by quiet hours ${describeQuiet(quiet)} to ${new Date(untilMs).toISOString()}.`,
  };
}

/** Why a push was never sent: quiet hours outlast its expiry. */
export function quietHoursExpiredResult(quiet: QuietWindow): PushResult {
  return {
    code: QUIET_HOURS_CODE,
    message: `Quiet hours ${describeQuiet(quiet)} end at ${new Date(quiet.endsAtMs).toISOString()}, after expiresAt; not sent.`,
  };
}

/**
 * The token's owner is in quiet hours: back to pending, due at `untilMs`, and the claim's attempt
 * given back (nothing was sent).
 */
export function quietHoursUpdate(quiet: QuietWindow, untilMs: number): PushUpdate {
  return {
    status: 'pending',
    isSent: false,
    result: quietHoursResult(quiet, untilMs),
    nextAttemptAtMs: untilMs,
    dropToken: false,
    refundAttempt: true,
  };
}

/** Quiet hours last until after the push expires: it ends expired, unsent. */
export function quietHoursExpiredUpdate(quiet: QuietWindow): PushUpdate {
  return {
    status: 'expired',
    isSent: false,
    result: quietHoursExpiredResult(quiet),
    dropToken: false,
  };
}

export function decideAfterSend(outcome: SendOutcome, ctx: DecisionContext): PushUpdate {
  if (!outcome.ok && 'notSent' in outcome && outcome.notSent) {
    // Never started (the run's deadline): due again at once, and the attempt does not count.
    return {
      status: 'pending',
      isSent: false,
      result: { code: outcome.error.code, message: outcome.error.message.slice(0, 500) },
      nextAttemptAtMs: ctx.nowMs,
      dropToken: false,
      refundAttempt: true,
    };
  }
  if (outcome.ok) {
    return {
      status: 'sent',
      isSent: true,
      result: { messageId: outcome.messageId },
      dropToken: false,
    };
  }
  const error = outcome.error;
  const result: PushResult = { code: error.code, message: error.message.slice(0, 500) };
  if (error.httpStatus !== undefined) result.httpStatus = error.httpStatus;
  const action = classifyFcmError(error);
  switch (action.kind) {
    case 'drop-token':
      return { status: 'rejected', isSent: false, result, dropToken: true };
    case 'fail':
      return { status: 'rejected', isSent: false, result, dropToken: false };
    case 'retry': {
      if (ctx.attempts >= ctx.maxAttempts)
        return { status: 'failed', isSent: false, result, dropToken: false };
      const delay = retryDelayMs(ctx.attempts, {
        baseMs: ctx.backoffBaseMs,
        random: ctx.random,
        retryAfterMs: action.delayMs,
      });
      const next = ctx.nowMs + delay;
      if (ctx.expiresAtMs !== undefined && next >= ctx.expiresAtMs) {
        return { ...expiredUpdate(), result };
      }
      return { status: 'pending', isSent: false, result, nextAttemptAtMs: next, dropToken: false };
    }
  }
}
