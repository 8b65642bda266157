/**
 * Cloud Scheduler's part: the Functions emulator serves scheduled functions over HTTP but never
 * fires them, so we POST to each one's `-0` endpoint on its interval (as runScheduled does in the
 * e2e tests). A tick is skipped while the previous run of the same function is still going, so a
 * short interval cannot pile up drains.
 */
export interface ScheduledJob {
  name: string;
  everyMs: number;
}

export interface Scheduler {
  stop(): void;
}

export function functionUrl(name: string): string {
  return `http://127.0.0.1:5001/demo-push/asia-northeast3/${name}-0`;
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
        const res = await fetch(functionUrl(job.name), {
          method: 'POST',
          headers: { 'content-type': 'application/json' },
          body: '{}',
          signal: controller.signal,
        });
        const text = await res.text();
        if (!res.ok) throw new Error(`HTTP ${res.status} ${text.slice(0, 200)}`);
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
