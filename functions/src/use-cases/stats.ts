/**
 * Recording the console's statistics without risking the work they count: a statistics write
 * happens after the results it counts are written, and its failure is reported to
 * `onStatsError` (the edge logs `stats.write_failed`) and swallowed. Counts are therefore
 * best-effort: a run that dies between its results and its statistics write loses that page's
 * counts (never counts them twice: only result writes that committed are counted).
 */
import { isEmptyIncrement, type Overview, type StatsIncrement } from '../core/stats';
import type { OverviewStore, StatsStore } from './ports';

export interface StatsDeps {
  /** Absent: nothing is counted (tests and tools that do not need statistics). */
  stats?: StatsStore;
  /** Told why a statistics write failed; the failure goes no further. */
  onStatsError?: (error: string) => void;
  /**
   * Set on the check path: statistics writes are collected here instead of awaited, so none
   * stands between a business write and its FCM request; the trigger awaits them at its end.
   */
  pendingStats?: Array<Promise<void>>;
}

const messageOf = (err: unknown) => (err instanceof Error ? err.message : String(err));

/**
 * One write of `increment` (none when it is empty); never rejects. With `pendingStats`, the
 * write is started and collected there, and this returns at once.
 */
export async function recordStats(
  deps: StatsDeps,
  increment: StatsIncrement,
  nowMs: number,
): Promise<void> {
  if (!deps.stats || isEmptyIncrement(increment)) return;
  const write = writeStats(deps, deps.stats, increment, nowMs);
  if (deps.pendingStats) deps.pendingStats.push(write);
  else await write;
}

async function writeStats(
  deps: StatsDeps,
  stats: StatsStore,
  increment: StatsIncrement,
  nowMs: number,
): Promise<void> {
  try {
    await stats.add(increment, nowMs);
  } catch (err) {
    try {
      deps.onStatsError?.(messageOf(err));
    } catch {
      // A logger that throws must not fail the page either.
    }
  }
}

/** The dispatcher's tick: recount the overview and write it; answers what it wrote. */
export async function refreshOverview(deps: {
  overview: OverviewStore;
  now: () => number;
}): Promise<Overview> {
  const nowMs = deps.now();
  const overview = await deps.overview.count(nowMs);
  await deps.overview.write(overview, nowMs);
  return overview;
}
