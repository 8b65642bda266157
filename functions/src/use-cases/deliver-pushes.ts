/**
 * Sends pushes this run has claimed and writes each result back: the part of the drain and of
 * immediate delivery that talks to FCM. A claim is acted on only after it committed (the store
 * returns committed claims only), and a push whose lease is about to end is left for a later run.
 */
import { buildFcmMessage } from '../core/push';
import {
  attemptsExhaustedUpdate,
  decideAfterSend,
  expiredUpdate,
  type PushUpdate,
} from '../core/send-decision';
import { tokenIdOf } from '../core/token-id';
import type { FcmSender, SendOutcome } from '../fcm/types';
import type { ClaimedPush, PushStore, TokenStore } from './ports';

export interface DeliverDeps {
  pushes: PushStore;
  tokens: TokenStore;
  sender: FcmSender;
  now: () => number;
  random: () => number;
}

export interface DeliverSettings {
  maxAttempts: number;
  backoffBaseMs: number;
  /**
   * No request starts this close to the end of the lease: the worst case of one message (an
   * access-token fetch and the request, twice with the 401 replay) must end inside the lease.
   */
  leaseSafetyMs: number;
}

export interface DeliveryCounts {
  sent: number;
  retried: number;
  failed: number;
  rejected: number;
  expired: number;
  tokensDeleted: number;
  /** Dead tokens whose delete failed (logged; the results were written all the same). */
  tokenDeletesFailed: number;
  /** User deliveries ended unsent because the token had left the user (DEVICE_NOT_OWNED). */
  notOwned: number;
  /** Claimed pushes that had already used MAX_ATTEMPTS: ended failed, not sent again. */
  exhausted: number;
  /** Claimed pushes the deadline kept from starting: due again at once. */
  deferred: number;
  leaseLost: number;
  leftForLater: number;
}

export const emptyCounts = (): DeliveryCounts => ({
  sent: 0,
  retried: 0,
  failed: 0,
  rejected: 0,
  expired: 0,
  tokensDeleted: 0,
  tokenDeletesFailed: 0,
  notOwned: 0,
  exhausted: 0,
  deferred: 0,
  leaseLost: 0,
  leftForLater: 0,
});

export function addCounts(a: DeliveryCounts, b: DeliveryCounts): DeliveryCounts {
  const out = { ...a };
  for (const k of Object.keys(emptyCounts()) as Array<keyof DeliveryCounts>) out[k] += b[k];
  return out;
}

export interface DeliveryReport extends DeliveryCounts {
  /** Why token deletes failed, for the caller's log (never the token itself). */
  tokenDeleteErrors: string[];
}

export async function deliverClaimed(
  deps: DeliverDeps,
  claimed: readonly ClaimedPush[],
  settings: DeliverSettings,
): Promise<DeliveryReport> {
  const counts = emptyCounts();
  const startMs = deps.now();
  const safety = settings.leaseSafetyMs;
  const results: Array<{ claimed: ClaimedPush; update: PushUpdate; nowMs: number }> = [];
  const toSend: ClaimedPush[] = [];
  for (const c of claimed) {
    if (c.push.expiresAtMs !== undefined && c.push.expiresAtMs <= startMs) {
      results.push({ claimed: c, update: expiredUpdate(), nowMs: startMs });
    } else if (c.push.attempts > settings.maxAttempts) {
      // The claim counted an attempt beyond the limit: earlier claims died without a result.
      counts.exhausted++;
      results.push({
        claimed: c,
        update: attemptsExhaustedUpdate(settings.maxAttempts),
        nowMs: startMs,
      });
    } else if (startMs >= c.leaseUntilMs - safety) {
      counts.leftForLater++; // Sending now could overlap the next owner; the lease end makes it due.
    } else {
      toSend.push(c);
    }
  }

  // A hard deadline: no request (nor its 401 replay or token fetch) starts after it.
  const deadlineMs = Math.min(...toSend.map((c) => c.leaseUntilMs)) - safety;
  const outcomes: SendOutcome[] = toSend.length
    ? await deps.sender.sendAll(
        toSend.map((c) => buildFcmMessage(c.push, startMs)),
        { deadlineMs },
      )
    : [];
  const nowMs = deps.now();
  const deadTokens = new Set<string>();
  toSend.forEach((c, i) => {
    const update = decideAfterSend(outcomes[i], {
      attempts: c.push.attempts,
      maxAttempts: settings.maxAttempts,
      expiresAtMs: c.push.expiresAtMs,
      nowMs,
      backoffBaseMs: settings.backoffBaseMs,
      random: deps.random(),
    });
    if (update.refundAttempt) counts.deferred++;
    if (update.dropToken && 'token' in c.push.target) deadTokens.add(c.push.target.token);
    results.push({ claimed: c, update, nowMs });
  });

  // Before the results, so a push recorded as UNREGISTERED implies its token is gone; but a
  // failed delete only gets logged: FCM has answered, and losing the page's results would send
  // every push of it again when the lease ends.
  const deletes = await Promise.allSettled(
    [...deadTokens].map((token) => deps.tokens.delete(tokenIdOf(token))),
  );
  const tokenDeleteErrors = deletes.flatMap((d) =>
    d.status === 'rejected'
      ? [d.reason instanceof Error ? d.reason.message : String(d.reason)]
      : [],
  );
  counts.tokensDeleted = deadTokens.size - tokenDeleteErrors.length;
  counts.tokenDeletesFailed = tokenDeleteErrors.length;

  const { lostLease } = await deps.pushes.writeResults(results);
  counts.leaseLost = lostLease.length;
  for (const r of results) {
    if (r.update.status === 'sent') counts.sent++;
    else if (r.update.status === 'pending' && !r.update.refundAttempt) counts.retried++;
    else if (r.update.status === 'failed') counts.failed++;
    else if (r.update.status === 'rejected') counts.rejected++;
    else if (r.update.status === 'expired') counts.expired++;
  }
  return { ...counts, tokenDeleteErrors };
}

/** Immediate delivery from the check path: claim the given pushes if still due, send them. */
export async function deliverNow(
  deps: DeliverDeps,
  ids: readonly string[],
  settings: DeliverSettings & { leaseMs: number; runId: string },
): Promise<DeliveryReport> {
  if (ids.length === 0) return { ...emptyCounts(), tokenDeleteErrors: [] };
  const snaps = await deps.pushes.getAll(ids);
  const { claimed, notOwned } = await deps.pushes.claim(snaps, {
    nowMs: deps.now(),
    leaseMs: settings.leaseMs,
    runId: settings.runId,
  });
  const report = await deliverClaimed(deps, claimed, settings);
  report.notOwned += notOwned.length;
  return report;
}
