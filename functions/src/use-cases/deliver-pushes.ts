/**
 * Sends pushes this run has claimed and writes each result back: the part of the drain and of
 * immediate delivery that talks to FCM. A claim is acted on only after it committed (the store
 * returns committed claims only), and a push whose lease is about to end is left for a later run.
 *
 * A push to a device gets its owner's preferences as they are at each attempt: a category the
 * owner turned off ends it `suppressed`, the owner's quiet hours send it back to `pending` until
 * they end (the attempt given back), and a token push's text is the owner's language (a user's
 * delivery got its language when it was expanded). The page's tokens and their owners'
 * preferences are read in batches.
 */
import { DEFAULTS } from '../config/defaults';
import { decideDelivery, type PushPreferences } from '../core/preferences';
import { buildFcmMessage } from '../core/push';
import {
  attemptsExhaustedUpdate,
  decideAfterSend,
  expiredUpdate,
  quietHoursExpiredUpdate,
  quietHoursUpdate,
  suppressedUpdate,
  type PushUpdate,
} from '../core/send-decision';
import { tokenIdOf } from '../core/token-id';
import { classifyFcmError } from '../fcm/classify';
import type { FcmSender, SendOutcome } from '../fcm/types';
import { count, emptyIncrement, mergeIncrements, outcomesIncrement } from '../core/stats';
import type { ClaimedPush, QueueRunDeps, StoredToken, TokenStore } from './ports';
import { claimByIds } from './claim-by-ids';
import { recordStats, type StatsDeps } from './stats';

export interface DeliverDeps extends StatsDeps, QueueRunDeps {
  sender: FcmSender;
}

export interface DeliverSettings {
  maxAttempts: number;
  backoffBaseMs: number;
  /**
   * No request starts this close to the end of the lease: the worst case of one message (an
   * access-token fetch and the request, twice with the 401 replay) must end inside the lease.
   */
  leaseSafetyMs: number;
  /** QUIET_HOURS_SPREAD_MINUTES in ms (default: the param's default). */
  quietHoursSpreadMs?: number;
  /** How long a page waits for its dead-token deletes (default TOKEN_DELETE_WAIT_MS). */
  tokenDeleteWaitMs?: number;
}

/**
 * A page writes the results that do not need a token delete at once; those that do (FCM said
 * UNREGISTERED) wait for their delete this long at most. One delete was seen hanging 225 s on
 * the emulator: without a bound it held the whole page's results past their lease.
 */
export const TOKEN_DELETE_WAIT_MS = 10_000;

export interface DeliveryCounts {
  sent: number;
  retried: number;
  failed: number;
  rejected: number;
  expired: number;
  tokensDeleted: number;
  /** Dead tokens whose delete failed (logged; the results were written all the same). */
  tokenDeletesFailed: number;
  /**
   * Pushes left claimed because their token's delete was still running after the wait: the
   * lease end makes them due again (FCM answers UNREGISTERED again; the delete is retried).
   */
  awaitingTokenDelete: number;
  /** User deliveries ended unsent because the token had left the user (DEVICE_NOT_OWNED). */
  notOwned: number;
  /** Claimed pushes that had already used MAX_ATTEMPTS: ended failed, not sent again. */
  exhausted: number;
  /** Claimed pushes the deadline kept from starting: due again at once. */
  deferred: number;
  /** Token pushes whose owner turned their category off (ended `suppressed`). */
  suppressed: number;
  /** Token pushes sent back to wait for their owner's quiet hours to end. */
  quietHoursDeferred: number;
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
  awaitingTokenDelete: 0,
  notOwned: 0,
  exhausted: 0,
  deferred: 0,
  suppressed: 0,
  quietHoursDeferred: 0,
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
  /**
   * FCM answered QUOTA_EXCEEDED: the project should send nothing before this time (Retry-After,
   * at least 60 s). Shard workers share it through one record (QuotaStore).
   */
  quotaExceededUntilMs?: number;
}

/** The latest time any QUOTA_EXCEEDED answer among `outcomes` asks to wait until, if any. */
export function quotaBackoffUntil(
  outcomes: readonly SendOutcome[],
  nowMs: number,
): number | undefined {
  let until: number | undefined;
  for (const o of outcomes) {
    if (o.ok || o.error.code !== 'QUOTA_EXCEEDED') continue;
    const action = classifyFcmError(o.error);
    const delayMs = action.kind === 'retry' ? (action.delayMs ?? 0) : 0;
    until = Math.max(until ?? 0, nowMs + delayMs);
  }
  return until;
}

/**
 * The page's one statistics write, after its results: the outcomes whose write committed, and
 * the deliveries its claim ended as DEVICE_NOT_OWNED.
 */
async function recordPageStats(
  deps: DeliverDeps,
  results: ReadonlyArray<{ claimed: ClaimedPush; update: PushUpdate }>,
  lostLease: readonly string[],
  notOwned: number,
): Promise<void> {
  const lost = new Set(lostLease);
  const written = results.filter((r) => !lost.has(r.claimed.push.id));
  const extra = emptyIncrement();
  count(extra, 'cancelled', notOwned, 'DEVICE_NOT_OWNED');
  await recordStats(
    deps,
    mergeIncrements(
      outcomesIncrement(
        written.map((r) => ({ status: r.update.status, code: r.update.result?.code })),
      ),
      extra,
    ),
    deps.now(),
  );
}

type DeleteOutcome = { ok: true } | { ok: false; error: string };

/** Starts one delete per dead token; each promise settles, never rejects. */
function startTokenDeletes(
  tokens: TokenStore,
  deadTokens: ReadonlySet<string>,
): Map<string, Promise<DeleteOutcome>> {
  const out = new Map<string, Promise<DeleteOutcome>>();
  for (const token of deadTokens) {
    out.set(
      token,
      tokens.delete(tokenIdOf(token)).then(
        (): DeleteOutcome => ({ ok: true }),
        (err: unknown): DeleteOutcome => ({
          ok: false,
          error: err instanceof Error ? err.message : String(err),
        }),
      ),
    );
  }
  return out;
}

/** Each delete's outcome, or 'running' for one that has not settled within `ms`. */
async function deletesWithin(
  deletes: ReadonlyMap<string, Promise<DeleteOutcome>>,
  ms: number,
): Promise<Map<string, DeleteOutcome | 'running'>> {
  const out = new Map<string, DeleteOutcome | 'running'>();
  if (deletes.size === 0) return out;
  let timer: NodeJS.Timeout | undefined;
  const waited = new Promise<void>((resolve) => {
    timer = setTimeout(resolve, ms);
  });
  await Promise.race([
    Promise.all(
      [...deletes].map(async ([token, p]) => {
        out.set(token, await p);
      }),
    ),
    waited,
  ]);
  clearTimeout(timer);
  for (const token of deletes.keys()) if (!out.has(token)) out.set(token, 'running');
  return out;
}

/**
 * Sends a claimed page and writes its results, then its statistics (one write; `notOwned`: the
 * deliveries the page's claim ended unsent, counted with it).
 */
export async function deliverClaimed(
  deps: DeliverDeps,
  claimed: readonly ClaimedPush[],
  settings: DeliverSettings,
  page: { notOwned?: number } = {},
): Promise<DeliveryReport> {
  const counts = emptyCounts();
  if (claimed.length === 0) {
    await recordPageStats(deps, [], [], page.notOwned ?? 0);
    return { ...counts, tokenDeleteErrors: [] };
  }
  const startMs = deps.now();
  const safety = settings.leaseSafetyMs;
  const results: Array<{ claimed: ClaimedPush; update: PushUpdate; nowMs: number }> = [];
  const candidates: ClaimedPush[] = [];
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
      candidates.push(c);
    }
  }
  const toSend = await applyOwnerPreferences(deps, candidates, startMs, settings, (c, update) => {
    if (update.status === 'pending') counts.quietHoursDeferred++;
    results.push({ claimed: c, update, nowMs: startMs });
  });

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

  // A push refused UNREGISTERED is written after its token's delete has settled, so its result
  // implies the token is gone; a failed delete is only logged (FCM has answered; dropping the
  // result would send it again when the lease ends). The page's other results are written while
  // the deletes run. A delete still running after the wait leaves its pushes claimed: the lease
  // end makes them due again, FCM answers UNREGISTERED again (a dead token receives nothing)
  // and the delete is retried; MAX_ATTEMPTS bounds how often.
  const deletes = startTokenDeletes(deps.tokens, deadTokens);
  const deadTokenOf = (r: (typeof results)[number]) =>
    r.update.dropToken && 'token' in r.claimed.push.target
      ? r.claimed.push.target.token
      : undefined;
  const [first, deleted] = await Promise.all([
    deps.pushes.writeResults(results.filter((r) => deadTokenOf(r) === undefined)),
    deletesWithin(deletes, settings.tokenDeleteWaitMs ?? TOKEN_DELETE_WAIT_MS),
  ]);
  const tokenDeleteErrors: string[] = [];
  for (const outcome of deleted.values()) {
    if (outcome === 'running') continue;
    if (outcome.ok) counts.tokensDeleted++;
    else tokenDeleteErrors.push(outcome.error);
  }
  counts.tokenDeletesFailed = tokenDeleteErrors.length;
  const afterDelete = results.filter((r) => {
    const token = deadTokenOf(r);
    return token !== undefined && deleted.get(token) !== 'running';
  });
  const second = afterDelete.length
    ? await deps.pushes.writeResults(afterDelete)
    : { lostLease: [] };
  const written = results.filter((r) => {
    const token = deadTokenOf(r);
    return token === undefined || deleted.get(token) !== 'running';
  });
  counts.awaitingTokenDelete = results.length - written.length;
  const lostLease = [...first.lostLease, ...second.lostLease];
  counts.leaseLost = lostLease.length;
  await recordPageStats(deps, written, lostLease, page.notOwned ?? 0);
  for (const r of written) {
    if (r.update.status === 'sent') counts.sent++;
    else if (r.update.status === 'pending' && !r.update.refundAttempt) counts.retried++;
    else if (r.update.status === 'failed') counts.failed++;
    else if (r.update.status === 'rejected') counts.rejected++;
    else if (r.update.status === 'expired') counts.expired++;
    else if (r.update.status === 'suppressed') counts.suppressed++;
  }
  const quotaExceededUntilMs = quotaBackoffUntil(outcomes, nowMs);
  return {
    ...counts,
    tokenDeleteErrors,
    ...(quotaExceededUntilMs !== undefined ? { quotaExceededUntilMs } : {}),
  };
}

/**
 * The owner's preferences, as stored now, for each push among `claimed` that goes to a device:
 * answers what is to be sent (in the owner's language), and hands each push that is not to
 * `decided` with its update.
 *
 * - A token push's owner is whoever registered its token (read in one batch); a token nobody
 *   registered has no owner and goes as it is. Its language is picked here.
 * - A user's delivery was decided when its notification was expanded (language, quiet hours);
 *   here it is checked again, so a category turned off, or quiet hours a retry falls into, still
 *   count. Its device is read only when its owner has quiet hours without a zone of their own.
 * Topic and condition pushes have no owner.
 */
async function applyOwnerPreferences(
  deps: Pick<DeliverDeps, 'tokens' | 'preferences' | 'random'>,
  claimed: readonly ClaimedPush[],
  nowMs: number,
  settings: DeliverSettings,
  decided: (c: ClaimedPush, update: PushUpdate) => void,
): Promise<ClaimedPush[]> {
  const tokenOf = (c: ClaimedPush) => ('token' in c.push.target ? c.push.target.token : undefined);
  const toDevices = claimed.filter((c) => tokenOf(c) !== undefined);
  if (toDevices.length === 0) return [...claimed];
  const unowned = toDevices.filter((c) => c.push.uid === undefined);
  const devices = unowned.length
    ? await deps.tokens.getMany(unowned.map((c) => tokenIdOf(tokenOf(c)!)))
    : new Map<string, StoredToken>();
  const ownerOf = (c: ClaimedPush): string | undefined => {
    if (c.push.uid !== undefined) return c.push.uid;
    const token = tokenOf(c);
    const device = token !== undefined ? devices.get(tokenIdOf(token)) : undefined;
    return device && device.token === token ? device.uid : undefined;
  };
  const uids = toDevices.map(ownerOf).filter((u): u is string => u !== undefined);
  const owners = uids.length
    ? await deps.preferences.getMany(uids)
    : new Map<string, PushPreferences>();
  // A user's delivery whose quiet hours are read in its device's zone: that device, now.
  const zoneNeeded = toDevices.filter((c) => {
    const p = c.push.uid !== undefined ? owners.get(c.push.uid) : undefined;
    return p?.quietHours && !p.timezone && !c.push.ignoreQuietHours;
  });
  if (zoneNeeded.length) {
    const more = await deps.tokens.getMany(zoneNeeded.map((c) => tokenIdOf(tokenOf(c)!)));
    for (const [id, d] of more) devices.set(id, d);
  }
  const spreadMs = settings.quietHoursSpreadMs ?? DEFAULTS.QUIET_HOURS_SPREAD_MINUTES * 60_000;
  const out: ClaimedPush[] = [];
  for (const c of claimed) {
    const uid = ownerOf(c);
    const prefs = uid !== undefined ? owners.get(uid) : undefined;
    if (uid === undefined || (prefs === undefined && c.push.localized === undefined)) {
      out.push(c);
      continue;
    }
    const device = devices.get(tokenIdOf(tokenOf(c)!));
    const decision = decideDelivery(c.push, prefs, device?.uid === uid ? device : undefined, {
      nowMs,
      random: deps.random(),
      spreadMs,
    });
    switch (decision.kind) {
      case 'suppress':
        decided(c, suppressedUpdate(decision.category, decision.code));
        break;
      case 'defer':
        decided(c, quietHoursUpdate(decision.quiet, decision.untilMs));
        break;
      case 'expire':
        decided(c, quietHoursExpiredUpdate(decision.quiet));
        break;
      case 'send': {
        const push = { ...c.push };
        delete push.title;
        delete push.content;
        out.push({ ...c, push: { ...push, ...decision.text } });
        break;
      }
    }
  }
  return out;
}

/** Immediate delivery from the check path: claim the given pushes if still due, send them. */
export async function deliverNow(
  deps: DeliverDeps,
  ids: readonly string[],
  settings: DeliverSettings & { leaseMs: number; runId: string },
): Promise<DeliveryReport> {
  if (ids.length === 0) return { ...emptyCounts(), tokenDeleteErrors: [] };
  const { claimed, notOwned } = await claimByIds(deps.pushes, ids, deps.now, settings);
  const report = await deliverClaimed(deps, claimed, settings, { notOwned: notOwned.length });
  report.notOwned += notOwned.length;
  return report;
}
