/**
 * `npm start` / `npm run demo` as child processes a test can read and signal. `npm start` runs in
 * its own process group, as it would as a terminal's foreground job, so a test can send the
 * terminal's Ctrl-C (SIGINT to the group) and then check that the group is gone.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { createInterface } from 'node:readline';
import { REPO_ROOT } from '../../tools/local-env/local-env';

export interface RunningScript {
  child: ChildProcess;
  pid: number;
  /** stdout and stderr lines so far, in arrival order. */
  lines: string[];
  /** Resolves with the first line matching `re` (also one already seen). */
  waitForLine(re: RegExp, timeoutMs: number): Promise<string>;
  exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
}

export function runScript(script: string, args: string[] = []): RunningScript {
  const child = spawn(process.execPath, ['--import', 'tsx', script, ...args], {
    cwd: REPO_ROOT,
    env: process.env,
    stdio: ['ignore', 'pipe', 'pipe'],
    detached: true,
  });
  const lines: string[] = [];
  const waiters = new Set<(line: string) => void>();
  const onLine = (line: string) => {
    lines.push(line);
    for (const w of [...waiters]) w(line);
  };
  createInterface({ input: child.stdout! }).on('line', onLine);
  createInterface({ input: child.stderr! }).on('line', onLine);
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((r) =>
    child.once('exit', (code, signal) => r({ code, signal })),
  );
  return {
    child,
    pid: child.pid!,
    lines,
    exited,
    waitForLine(re, timeoutMs) {
      const seen = lines.find((l) => re.test(l));
      if (seen) return Promise.resolve(seen);
      return new Promise((resolveLine, reject) => {
        const done = (fn: () => void) => {
          clearTimeout(timer);
          waiters.delete(watch);
          fn();
        };
        const watch = (line: string) => {
          if (re.test(line)) done(() => resolveLine(line));
        };
        const timer = setTimeout(
          () =>
            done(() =>
              reject(
                new Error(
                  `no line matching ${re} after ${timeoutMs} ms; output:\n${lines.join('\n')}`,
                ),
              ),
            ),
          timeoutMs,
        );
        waiters.add(watch);
        void exited.then(({ code, signal }) =>
          done(() =>
            reject(
              new Error(
                `${script} exited (${signal ?? code}) before printing ${re}; output:\n${lines.join('\n')}`,
              ),
            ),
          ),
        );
      });
    },
  };
}
