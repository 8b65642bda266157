/**
 * `firebase emulators:start --only functions,auth,firestore,tasks,hosting --project <local project>`, in its own
 * process group, its output in a log file, and a readiness check that does not trust one signal:
 * firebase-tools says "All emulators ready" only after the Functions emulator has loaded the
 * functions and registered their Firestore triggers; the hub and the Functions emulator are then
 * asked directly.
 */
import type { ChildProcess } from 'node:child_process';
import { createWriteStream } from 'node:fs';
import { createInterface } from 'node:readline';
import { emulatorsStartArgs } from '../emulators/firebase-env';
import { CONSOLE_EMULATORS, localEnv, type EmulatorName } from '../local-env/local-env';
import { spawnInOwnGroup } from './processes';
import { stripAnsi, surfaceLine } from './emulator-output';

export interface RunningEmulators {
  child: ChildProcess;
  /** Resolves once everything answers; rejects if firebase-tools exits or `timeoutMs` passes. */
  ready: Promise<void>;
  /** The Firestore JVM's pid as the hub reported it (firebase-tools starts it detached). */
  firestorePid(): number | undefined;
  /** The last lines of output, for a failure message. */
  tail(lines?: number): string[];
}

/** The JSON answer from `url` (`{}` when it is not JSON), undefined when nothing answers OK in time. */
export async function getJson(url: string, timeoutMs = 2_000): Promise<unknown> {
  try {
    const res = await fetch(url, { signal: AbortSignal.timeout(timeoutMs) });
    return res.ok ? await res.json().catch(() => ({})) : undefined;
  } catch {
    return undefined;
  }
}

/** What the emulator hub (`GET /emulators`) says is running. */
export interface HubEmulators {
  firestore?: { pid?: number };
  functions?: unknown;
  auth?: unknown;
  tasks?: unknown;
  hosting?: unknown;
}

export function startFirebaseEmulators(options: {
  root: string;
  env: NodeJS.ProcessEnv;
  logPath: string;
  onSurface: (text: string) => void;
  timeoutMs?: number;
  /** Which emulators (default: all the local stack runs, the console's Hosting included). */
  only?: readonly EmulatorName[];
}): RunningEmulators {
  const only = options.only ?? CONSOLE_EMULATORS;
  const log = createWriteStream(options.logPath, { flags: 'w' });
  const { hub, functions } = localEnv();
  const child = spawnInOwnGroup(process.execPath, emulatorsStartArgs(only), {
    cwd: options.root,
    env: options.env,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const recent: string[] = [];
  let saidReady = false;
  let firestorePid: number | undefined;
  const onLine = (line: string) => {
    log.write(`${line}\n`);
    recent.push(stripAnsi(line));
    if (recent.length > 40) recent.shift();
    if (/All emulators ready/.test(line)) saidReady = true;
    const shown = surfaceLine(line);
    if (shown) options.onSurface(shown);
  };
  createInterface({ input: child.stdout! }).on('line', onLine);
  createInterface({ input: child.stderr! }).on('line', onLine);
  child.once('exit', () => log.end());

  const ready = new Promise<void>((resolve, reject) => {
    let settled = false;
    const fail = (err: Error) => {
      if (!settled) reject(err);
      settled = true;
    };
    child.once('error', fail);
    child.once('exit', (code, sig) =>
      fail(new Error(`firebase-tools exited while starting (${sig ?? `code ${code}`})`)),
    );
    const deadline = Date.now() + (options.timeoutMs ?? 180_000);
    const poll = async () => {
      while (!settled) {
        if (Date.now() > deadline) {
          fail(
            new Error(
              `the emulators were not ready after ${(options.timeoutMs ?? 180_000) / 1000} s`,
            ),
          );
          return;
        }
        if (saidReady) {
          const running = (await getJson(`${hub.url}/emulators`)) as HubEmulators | undefined;
          const backends = (await getJson(`${functions.url}/backends`)) as
            { backends?: { functionTriggers?: unknown[] }[] } | undefined;
          const triggers = backends?.backends?.flatMap((b) => b.functionTriggers ?? []) ?? [];
          if (
            running &&
            only.every((name) => running[name]) &&
            running.firestore &&
            triggers.length > 0
          ) {
            firestorePid = running.firestore.pid;
            settled = true;
            resolve();
            return;
          }
        }
        await new Promise((r) => setTimeout(r, 250));
      }
    };
    void poll();
  });

  return {
    child,
    ready,
    firestorePid: () => firestorePid,
    tail: (n = 15) => recent.slice(-n),
  };
}
