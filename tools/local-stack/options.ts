/** Flags of `npm start` (after `--`): how often the scheduled functions are fired locally. */

export interface StartOptions {
  /** drainReservedPushes interval; production runs it every minute. */
  drainEveryMs: number;
  /** pruneStaleTokens interval; production runs it daily. */
  pruneEveryMs: number;
  help: boolean;
}

export const START_USAGE = `Usage: npm start [-- --drain-every <duration>] [--prune-every <duration>]

  --drain-every   how often drainReservedPushes runs (default 1m, its production schedule)
  --prune-every   how often pruneStaleTokens runs (default 24h, daily as in production)

Durations: 500ms, 10s, 2m, 1h, 1d.`;

const UNITS: Record<string, number> = { ms: 1, s: 1_000, m: 60_000, h: 3_600_000, d: 86_400_000 };

/** `10s` -> 10000; throws a message naming the flag on anything else. */
export function parseDuration(text: string, flag: string): number {
  const m = /^(\d+(?:\.\d+)?)(ms|s|m|h|d)$/.exec(text.trim());
  const ms = m ? Number(m[1]) * UNITS[m[2]] : NaN;
  if (!Number.isFinite(ms) || ms < 100) {
    throw new Error(
      `${flag} wants a duration of at least 100ms like 10s, 1m or 1h (got "${text}").`,
    );
  }
  return ms;
}

export function parseStartOptions(argv: string[]): StartOptions {
  const options: StartOptions = { drainEveryMs: 60_000, pruneEveryMs: 86_400_000, help: false };
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i];
    const [flag, inline] = arg.includes('=') ? arg.split(/=(.*)/s, 2) : [arg, undefined];
    const value = () => {
      const v = inline ?? argv[++i];
      if (v === undefined) throw new Error(`${flag} needs a value.\n\n${START_USAGE}`);
      return v;
    };
    if (flag === '--drain-every') options.drainEveryMs = parseDuration(value(), flag);
    else if (flag === '--prune-every') options.pruneEveryMs = parseDuration(value(), flag);
    else if (flag === '--help' || flag === '-h') options.help = true;
    else throw new Error(`Unknown option ${arg}.\n\n${START_USAGE}`);
  }
  return options;
}

/** `60000` -> `1m`, for the ready line. */
export function formatDuration(ms: number): string {
  for (const [unit, size] of [
    ['d', 86_400_000],
    ['h', 3_600_000],
    ['m', 60_000],
    ['s', 1_000],
  ] as const) {
    if (ms >= size && ms % size === 0) return `${ms / size}${unit}`;
  }
  return `${ms}ms`;
}
