/**
 * Cloud Scheduler's part: the Functions emulator serves scheduled functions over HTTP but never
 * fires them, so we POST to each one's `-0` endpoint on its interval (the e2e tests fire them once
 * with fireScheduled). A tick is skipped while the previous run of the same function is still
 * going, so a short interval cannot pile up drains.
 */
import { scheduledFunctionUrl } from '../local-env/local-env';
import { waitForFanOut } from './fan-out';

export interface ScheduledJob {
  name: string;
  everyMs: number;
}

export interface Scheduler {
  stop(): void;
}

/** The dispatcher of the sharded queue: its work is done by the shard tasks it enqueues. */
export const DISPATCHER = 'drainReservedPushes';

/**
 * Runs scheduled function `name` once in the Functions emulator, as Cloud Scheduler would. For
 * the dispatcher, it then waits until the shard tasks it enqueued have run in the Cloud Tasks
 * emulator (`settle: false` does not), so a fired drain has drained when this returns.
 */
export async function fireScheduled(
  name: string,
  signal?: AbortSignal,
  options: { settle?: boolean } = {},
): Promise<void> {
  const res = await fetch(scheduledFunctionUrl(name), {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: '{}',
    signal,
  });
  const text = await res.text();
  if (!res.ok) throw new Error(`HTTP ${res.status} ${text.slice(0, 200)}`);
  if (name === DISPATCHER && options.settle !== false) await waitForFanOut(60_000, signal);
}

export function startScheduler(
  jobs: ScheduledJob[],
  onFailure: (name: string, message: string) => void,
): Scheduler {
  const timers: NodeJS.Timeout[] = [];
  const controller = new AbortController();
  for (const job of jobs) {
    let running = false;
    let lastFailure = '';
    const fire = async () => {
      if (running) return;
      running = true;
      try {
        await fireScheduled(job.name, controller.signal);
        lastFailure = '';
      } catch (err) {
        if (controller.signal.aborted) return;
        const message = err instanceof Error ? err.message : String(err);
        // Say it once per kind of failure, not every minute.
        if (message !== lastFailure) onFailure(job.name, message);
        lastFailure = message;
      } finally {
        running = false;
      }
    };
    timers.push(setInterval(() => void fire(), job.everyMs));
  }
  return {
    stop() {
      for (const t of timers) clearInterval(t);
      controller.abort();
    },
  };
}
