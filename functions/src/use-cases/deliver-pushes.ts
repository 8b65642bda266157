/**
 * Sends pushes this run has claimed and writes each result back: the part of the drain and of
 * immediate delivery that talks to FCM. A claim is acted on only after it committed (the store
 * returns committed claims only), and a push whose lease is about to end is left for a later run.
 */
import { buildFcmMessage } from '../core/push';
import { decideAfterSend, expiredUpdate, type PushUpdate } from '../core/send-decision';
import { tokenIdOf } from '../core/token-id';
import type { FcmSender, SendOutcome } from '../fcm/types';
import type { ClaimedPush, PushStore } from '../adapters/push-store';
import type { TokenStore } from '../adapters/token-store';

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
  /** Do not start a send this close to the end of the lease (see leaseSafetyFor). */
  leaseSafetyMs: number;
}

/** A quarter of the lease, at most 15 s: time enough for a send to finish inside the lease. */
export const leaseSafetyFor = (leaseMs: number) => Math.min(15_000, Math.floor(leaseMs / 4));

export interface DeliveryCounts {
  sent: number;
  retried: number;
  failed: number;
  rejected: number;
  expired: number;
  tokensDeleted: number;
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
  leaseLost: 0,
  leftForLater: 0,
});

export function addCounts(a: DeliveryCounts, b: DeliveryCounts): DeliveryCounts {
  const out = { ...a };
  for (const k of Object.keys(b) as Array<keyof DeliveryCounts>) out[k] += b[k];
  return out;
}

export async function deliverClaimed(
  deps: DeliverDeps,
  claimed: readonly ClaimedPush[],
  settings: DeliverSettings,
): Promise<DeliveryCounts> {
  const counts = emptyCounts();
  const startMs = deps.now();
  const safety = settings.leaseSafetyMs;
  const results: Array<{ claimed: ClaimedPush; update: PushUpdate; nowMs: number }> = [];
  const toSend: ClaimedPush[] = [];
  for (const c of claimed) {
    if (c.push.expiresAtMs !== undefined && c.push.expiresAtMs <= startMs) {
      results.push({ claimed: c, update: expiredUpdate(), nowMs: startMs });
    } else if (startMs >= c.leaseUntilMs - safety) {
      counts.leftForLater++; // Sending now could overlap the next owner; the lease end makes it due.
    } else {
      toSend.push(c);
    }
  }

  const outcomes: SendOutcome[] = await deps.sender.sendAll(
    toSend.map((c) => buildFcmMessage(c.push, startMs)),
  );
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
    if (update.dropToken && 'token' in c.push.target) deadTokens.add(c.push.target.token);
    results.push({ claimed: c, update, nowMs });
  });

  // Before the results: a push recorded as UNREGISTERED implies its token is already gone.
  await Promise.all([...deadTokens].map((token) => deps.tokens.delete(tokenIdOf(token))));
  counts.tokensDeleted = deadTokens.size;

  const { lostLease } = await deps.pushes.writeResults(results);
  counts.leaseLost = lostLease.length;
  for (const r of results) {
    if (r.update.status === 'sent') counts.sent++;
    else if (r.update.status === 'pending') counts.retried++;
    else if (r.update.status === 'failed') counts.failed++;
    else if (r.update.status === 'rejected') counts.rejected++;
    else if (r.update.status === 'expired') counts.expired++;
  }
  return counts;
}

/** Immediate delivery from the check path: claim the given pushes if still due, send them. */
export async function deliverNow(
  deps: DeliverDeps,
  ids: readonly string[],
  settings: Omit<DeliverSettings, 'leaseSafetyMs'> & { leaseMs: number; runId: string },
): Promise<DeliveryCounts> {
  if (ids.length === 0) return emptyCounts();
  const snaps = await deps.pushes.getAll(ids);
  const claimed = await deps.pushes.claim(snaps, {
    nowMs: deps.now(),
    leaseMs: settings.leaseMs,
    runId: settings.runId,
  });
  return deliverClaimed(deps, claimed, {
    ...settings,
    leaseSafetyMs: leaseSafetyFor(settings.leaseMs),
  });
}
