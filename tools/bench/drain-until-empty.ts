/**
 * What the scheduler does with a backlog, back to back: runs of drainDuePushes with the
 * production defaults of config/params.ts (pages of 500, 50 s budget, 120 s lease, 8 attempts,
 * 30 s backoff base) until a run finds nothing due. Shared by the drain benchmarks.
 */
import { leaseSafetyMsFor } from '../../functions/src/config/settings';
import {
  drainDuePushes,
  type DrainDeps,
  type DrainReport,
} from '../../functions/src/use-cases/drain-pushes';

export async function drainUntilEmpty(
  deps: DrainDeps,
  runPrefix: string,
  onRun: (run: number, report: DrainReport) => void = () => undefined,
): Promise<{ sent: number; runs: number }> {
  let sent = 0;
  for (let run = 1; ; run++) {
    const report = await drainDuePushes(deps, {
      batchSize: 500,
      timeBudgetMs: 50_000,
      leaseMs: 120_000,
      leaseSafetyMs: leaseSafetyMsFor(10_000),
      maxAttempts: 8,
      backoffBaseMs: 30_000,
      runId: `${runPrefix}-${run}`,
    });
    sent += report.sent;
    onRun(run, report);
    if (report.stoppedBy === 'empty') return { sent, runs: run };
  }
}
