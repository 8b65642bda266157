/**
 * drainDuePushes: page through due pushes, oldest first; claim each page, send it, write results;
 * stop when nothing is due or the time budget is spent (the next scheduled run continues).
 * Memory is bounded by the page size, whatever the backlog.
 */
import {
  addCounts,
  deliverClaimed,
  emptyCounts,
  leaseSafetyFor,
  type DeliverDeps,
  type DeliveryCounts,
} from './deliver-pushes';

export interface DrainSettings {
  batchSize: number;
  timeBudgetMs: number;
  leaseMs: number;
  maxAttempts: number;
  backoffBaseMs: number;
  runId: string;
}

export interface DrainReport extends DeliveryCounts {
  pages: number;
  claimed: number;
  stoppedBy: 'empty' | 'budget' | 'contention';
  elapsedMs: number;
}

export async function drainDuePushes(
  deps: DeliverDeps,
  settings: DrainSettings,
): Promise<DrainReport> {
  const startMs = deps.now();
  let counts = emptyCounts();
  let pages = 0;
  let claimedTotal = 0;
  let emptyClaims = 0;
  let stoppedBy: DrainReport['stoppedBy'] = 'budget';
  while (deps.now() - startMs < settings.timeBudgetMs) {
    const nowMs = deps.now();
    const due = await deps.pushes.findDue(nowMs, settings.batchSize);
    if (due.length === 0) {
      stoppedBy = 'empty';
      break;
    }
    const claimed = await deps.pushes.claim(due, {
      nowMs,
      leaseMs: settings.leaseMs,
      runId: settings.runId,
    });
    pages++;
    claimedTotal += claimed.length;
    if (claimed.length === 0) {
      // Another run claimed this page first; its claims moved those pushes out of the due range,
      // so the next query sees different ones. Twice in a row means we are only getting in its way.
      if (++emptyClaims >= 2) {
        stoppedBy = 'contention';
        break;
      }
      continue;
    }
    emptyClaims = 0;
    counts = addCounts(
      counts,
      await deliverClaimed(deps, claimed, {
        ...settings,
        leaseSafetyMs: leaseSafetyFor(settings.leaseMs),
      }),
    );
  }
  return { ...counts, pages, claimed: claimedTotal, stoppedBy, elapsedMs: deps.now() - startMs };
}
