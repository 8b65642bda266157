/**
 * drainDuePushes: page through what is due, oldest first. Each round expands a page of due
 * notifications into device deliveries (due at once), then claims a page of due pushes, sends it
 * and writes the results; it stops when nothing is due or the time budget is spent (the next
 * scheduled run continues). Memory is bounded by the page size, whatever the backlog.
 */
import {
  addCounts,
  deliverClaimed,
  emptyCounts,
  type DeliverDeps,
  type DeliveryCounts,
} from './deliver-pushes';
import type { ShardScope } from '../core/shard';
import type { ClaimedPush, QuotaStore } from './ports';
import {
  emptyExpansionCounts,
  expandClaimed,
  type ExpandDeps,
  type ExpansionCounts,
} from './expand-notifications';

export type DrainDeps = DeliverDeps &
  ExpandDeps & {
    /**
     * The fleet's QUOTA_EXCEEDED backoff (shard workers): read before each page, extended after a
     * page that met it. Absent: each push backs off on its own, as the single drain always did.
     */
    quota?: QuotaStore;
    /** Waits `ms` (the test clock's own in tests); without it the drain stops instead of waiting. */
    sleep?: (ms: number) => Promise<void>;
  };

export interface DrainSettings {
  batchSize: number;
  timeBudgetMs: number;
  leaseMs: number;
  /** No request starts this close to a lease's end (see DeliverSettings). */
  leaseSafetyMs: number;
  maxAttempts: number;
  backoffBaseMs: number;
  runId: string;
  /** QUIET_HOURS_SPREAD_MINUTES in ms (default: the param's default). */
  quietHoursSpreadMs?: number;
  /** How long a page waits for its dead-token deletes (see DeliverSettings). */
  tokenDeleteWaitMs?: number;
  /**
   * Which part of the queue: a set of shards (a shard worker), the documents written before
   * shards existed (`{unsharded: true}`), or, absent, the whole queue as one query.
   */
  scope?: ShardScope;
  /**
   * Called before each page; false stops the run (`lease-lost`): a shard worker renews its shard
   * lease here, and stops when another worker took the shard over.
   */
  beforePage?: () => Promise<boolean>;
  /** This run's share of FCM's quota, in messages per second (absent: unbounded). */
  maxSendsPerSecond?: number;
  /**
   * Claim the next page while the current one is sent (shard workers). The lease must then cover
   * two pages of sending (settings' workerLeaseMs); pushes a late page cannot start in time go
   * back to pending at once, as always.
   */
  pipeline?: boolean;
}

export interface DrainReport extends DeliveryCounts, ExpansionCounts {
  pages: number;
  claimed: number;
  /**
   * `quota`: FCM asked the project to slow down until `resumeAtMs`, past this run's budget;
   * `lease-lost`: another worker took the shard over.
   */
  stoppedBy: 'empty' | 'budget' | 'contention' | 'quota' | 'lease-lost';
  /** With `quota`: when sending may resume. */
  resumeAtMs?: number;
  /** Pages that waited for the quota backoff or the rate share, and how long in all. */
  waits: number;
  waitedMs: number;
  elapsedMs: number;
  /** Why dead-token deletes failed this run (logged by the trigger). */
  tokenDeleteErrors: string[];
}

/** A page this run claimed, and how many deliveries its claim ended as DEVICE_NOT_OWNED. */
interface ClaimedPage {
  claimed: ClaimedPush[];
  notOwned: number;
}

function addExpansion(a: ExpansionCounts, b: ExpansionCounts): ExpansionCounts {
  const out = { ...a };
  for (const k of Object.keys(emptyExpansionCounts()) as Array<keyof ExpansionCounts>)
    out[k] += b[k];
  return out;
}

export async function drainDuePushes(
  deps: DrainDeps,
  settings: DrainSettings,
): Promise<DrainReport> {
  const startMs = deps.now();
  let counts = emptyCounts();
  let expansion = emptyExpansionCounts();
  const tokenDeleteErrors: string[] = [];
  let pages = 0;
  let claimedTotal = 0;
  let emptyClaims = 0;
  let stoppedBy: DrainReport['stoppedBy'] = 'budget';
  let resumeAtMs: number | undefined;
  let waits = 0;
  let waitedMs = 0;
  const lease = { leaseMs: settings.leaseMs, runId: settings.runId };

  /**
   * Before a page: FCM's quota backoff shared by every worker, and this run's share of the quota
   * (`maxSendsPerSecond`). Waits when the wait ends within the budget and the drain can sleep;
   * otherwise stops, with the time to resume.
   */
  async function mayGo(): Promise<boolean> {
    const nowMs = deps.now();
    let untilMs = deps.quota ? await deps.quota.blockedUntil(nowMs) : undefined;
    const blocked = untilMs !== undefined && untilMs > nowMs;
    if (settings.maxSendsPerSecond && deps.sleep) {
      const paced = startMs + (claimedTotal / settings.maxSendsPerSecond) * 1000;
      if (paced > nowMs) untilMs = Math.max(untilMs ?? 0, paced);
    }
    if (untilMs === undefined || untilMs <= nowMs) return true;
    if (deps.sleep && untilMs < startMs + settings.timeBudgetMs) {
      waits++;
      waitedMs += untilMs - nowMs;
      await deps.sleep(untilMs - nowMs);
      return true;
    }
    if (!blocked) return false; // Paced past the budget: the budget ends the run.
    stoppedBy = 'quota';
    resumeAtMs = untilMs;
    return false;
  }

  const budgetLeft = () => deps.now() - startMs < settings.timeBudgetMs;

  /**
   * The Firestore half of a round: expand a page of due notifications, then find and claim a
   * page of due pushes. Answers the claimed page, `again` (nothing to send this round, but maybe
   * next), or `stop` (stoppedBy says why).
   */
  async function claimPage(): Promise<ClaimedPage | 'again' | 'stop'> {
    if (settings.beforePage && !(await settings.beforePage())) {
      stoppedBy = 'lease-lost';
      return 'stop';
    }
    if (!(await mayGo())) return 'stop';
    const dueNotifications = await deps.notifications.findDue(
      deps.now(),
      settings.batchSize,
      settings.scope,
    );
    if (dueNotifications.length) {
      const claimedNotifications = await deps.notifications.claim(dueNotifications, {
        nowMs: deps.now(),
        ...lease,
      });
      expansion = addExpansion(
        expansion,
        await expandClaimed(deps, claimedNotifications, settings),
      );
    }

    const nowMs = deps.now();
    const due = await deps.pushes.findDue(nowMs, settings.batchSize, settings.scope);
    if (due.length === 0 && dueNotifications.length === 0) {
      stoppedBy = 'empty';
      return 'stop';
    }
    if (due.length === 0) return 'again';
    const { claimed, notOwned } = await deps.pushes.claim(due, { nowMs, ...lease });
    pages++;
    claimedTotal += claimed.length;
    counts.notOwned += notOwned.length;
    if (claimed.length === 0 && notOwned.length === 0) {
      // Another run claimed this page first; its claims moved those pushes out of the due range,
      // so the next query sees different ones. Twice in a row means we are only getting in its way.
      if (++emptyClaims >= 2) {
        stoppedBy = 'contention';
        return 'stop';
      }
      return 'again';
    }
    emptyClaims = 0;
    return { claimed, notOwned: notOwned.length };
  }

  /** The FCM half: send a claimed page and write its results (then its statistics). */
  async function sendPage({ claimed, notOwned }: ClaimedPage): Promise<void> {
    const report = await deliverClaimed(deps, claimed, settings, { notOwned });
    tokenDeleteErrors.push(...report.tokenDeleteErrors);
    counts = addCounts(counts, report);
    if (report.quotaExceededUntilMs !== undefined && deps.quota) {
      await deps.quota.block(report.quotaExceededUntilMs, settings.runId);
    }
  }

  if (!settings.pipeline) {
    while (budgetLeft()) {
      const page = await claimPage();
      if (page === 'stop') break;
      if (page !== 'again') await sendPage(page);
    }
  } else {
    // One page ahead: the next page is found and claimed while the current one is sent, so a
    // round costs max(Firestore, FCM) instead of their sum. The next claim starts only within
    // the budget, and the worker's lease (workerLeaseMs) covers a page waiting for the one before.
    let next: Promise<ClaimedPage | 'again' | 'stop'> | undefined = budgetLeft()
      ? claimPage()
      : undefined;
    while (next) {
      const page = await next;
      if (page === 'stop') break;
      next = budgetLeft() ? claimPage() : undefined;
      if (page !== 'again') {
        // A failed send must not leave the claim running unobserved.
        await sendPage(page).catch(async (err: unknown) => {
          await next?.catch(() => undefined);
          throw err;
        });
      }
    }
  }
  return {
    ...counts,
    ...expansion,
    pages,
    claimed: claimedTotal,
    stoppedBy,
    ...(resumeAtMs !== undefined ? { resumeAtMs } : {}),
    waits,
    waitedMs,
    elapsedMs: deps.now() - startMs,
    tokenDeleteErrors,
  };
}
