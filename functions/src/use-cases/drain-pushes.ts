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
import {
  emptyExpansionCounts,
  expandClaimed,
  type ExpandDeps,
  type ExpansionCounts,
} from './expand-notifications';

export type DrainDeps = DeliverDeps & ExpandDeps;

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
  /**
   * Which part of the queue: a set of shards (a shard worker), the documents written before
   * shards existed (`{unsharded: true}`), or, absent, the whole queue as one query.
   */
  scope?: ShardScope;
}

export interface DrainReport extends DeliveryCounts, ExpansionCounts {
  pages: number;
  claimed: number;
  stoppedBy: 'empty' | 'budget' | 'contention';
  elapsedMs: number;
  /** Why dead-token deletes failed this run (logged by the trigger). */
  tokenDeleteErrors: string[];
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
  const lease = { leaseMs: settings.leaseMs, runId: settings.runId };
  while (deps.now() - startMs < settings.timeBudgetMs) {
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
      break;
    }
    if (due.length === 0) continue;
    const { claimed, notOwned } = await deps.pushes.claim(due, { nowMs, ...lease });
    pages++;
    claimedTotal += claimed.length;
    counts.notOwned += notOwned.length;
    if (claimed.length === 0 && notOwned.length === 0) {
      // Another run claimed this page first; its claims moved those pushes out of the due range,
      // so the next query sees different ones. Twice in a row means we are only getting in its way.
      if (++emptyClaims >= 2) {
        stoppedBy = 'contention';
        break;
      }
      continue;
    }
    emptyClaims = 0;
    const report = await deliverClaimed(deps, claimed, settings);
    tokenDeleteErrors.push(...report.tokenDeleteErrors);
    counts = addCounts(counts, report);
  }
  return {
    ...counts,
    ...expansion,
    pages,
    claimed: claimedTotal,
    stoppedBy,
    elapsedMs: deps.now() - startMs,
    tokenDeleteErrors,
  };
}
