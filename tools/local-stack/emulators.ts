/**
 * `firebase emulators:start --only functions,auth,firestore --project demo-push`, in its own
 * process group, its output in a log file, and a readiness check that does not trust one signal:
 * firebase-tools says "All emulators ready" only after the Functions emulator has loaded the
 * functions and registered their Firestore triggers; the hub and the Functions emulator are then
 * asked directly.
 */
import type { ChildProcess } from 'node:child_process';
import { createWriteStream, existsSync } from 'node:fs';
import { createInterface } from 'node:readline';
import { join } from 'node:path';
import { spawnInOwnGroup } from './processes';
import { stripAnsi, surfaceLine } from './emulator-output';

export const HUB_URL = 'http://127.0.0.1:4400';
export const FUNCTIONS_URL = 'http://127.0.0.1:5001';

export interface RunningEmulators {
  child: ChildProcess;
  /** Resolves once everything answers; rejects if firebase-tools exits or `timeoutMs` passes. */
  ready: Promise<void>;
  /** The Firestore JVM's pid as the hub reported it (firebase-tools starts it detached). */
  firestorePid(): number | undefined;
  /** The last lines of output, for a failure message. */
  tail(lines?: number): string[];
}

export function firebaseToolsBin(root: string): string {
  const bin = join(root, 'node_modules', 'firebase-tools', 'lib', 'bin', 'firebase.js');
  if (!existsSync(bin)) {
    throw new Error(`firebase-tools is not installed (${bin} is missing): run \`npm ci\` first.`);
  }
  return bin;
}

async function getJson(url: string): Promise<unknown> {
  try {
    const res = await fetch(url, { signal: AbortSignal.timeout(2_000) });
    return res.ok ? await res.json() : undefined;
  } catch {
    return undefined;
  }
}

interface HubEmulators {
  firestore?: { pid?: number };
  functions?: unknown;
  auth?: unknown;
}

export function startFirebaseEmulators(options: {
  root: string;
  env: NodeJS.ProcessEnv;
  logPath: string;
  onSurface: (text: string) => void;
  timeoutMs?: number;
}): RunningEmulators {
  const log = createWriteStream(options.logPath, { flags: 'w' });
  const child = spawnInOwnGroup(
    process.execPath,
    [
      firebaseToolsBin(options.root),
      'emulators:start',
      '--only',
      'functions,auth,firestore',
      '--project',
      'demo-push',
    ],
    { cwd: options.root, env: options.env, stdio: ['ignore', 'pipe', 'pipe'] },
  );
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
          const hub = (await getJson(`${HUB_URL}/emulators`)) as HubEmulators | undefined;
          const backends = (await getJson(`${FUNCTIONS_URL}/backends`)) as
            { backends?: { functionTriggers?: unknown[] }[] } | undefined;
          const triggers = backends?.backends?.flatMap((b) => b.functionTriggers ?? []) ?? [];
          if (hub?.functions && hub.firestore && hub.auth && triggers.length > 0) {
            firestorePid = hub.firestore.pid;
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
