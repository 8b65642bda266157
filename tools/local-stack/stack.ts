/**
 * The whole system on this machine, offline, for the local project (tools/local-env): the local
 * metadata and FCM v1 servers on the ports its env file names, the functions rebuilt on change, the
 * Functions + Auth + Firestore + Cloud Tasks emulators under firebase-tools (so Firestore triggers
 * fire), the Hosting emulator serving the operator console (built for the emulators, signed in as
 * the local operator, whom this creates), and a local stand-in for Cloud Scheduler.
 */
import { mkdirSync } from 'node:fs';
import { join, relative } from 'node:path';
import { assertFunctionsBuilt, firebaseEmulatorEnv } from '../emulators/firebase-env';
import { assertPortsFree } from '../emulators/ports';
import { buildConsole } from '../console/build';
import { localEnv, offlineEnv, REPO_ROOT } from '../local-env/local-env';
import { startDemoGoogle, type LocalGoogle } from '../local-google/demo-google';
import { startFirebaseEmulators, type RunningEmulators } from './emulators';
import { watchFunctions, type FunctionsWatch } from './functions-watch';
import { ensureLocalOperator } from './local-operator';
import { formatDuration, type StartOptions } from './options';
import { orphanedStackProcesses, startWatchdog, stopGroup, sweep } from './processes';
import { pushLine } from './push-line';
import { startScheduler, type Scheduler } from './scheduler';

export const EMULATOR_LOG = join(REPO_ROOT, '.tmp', 'emulators.log');

export interface Output {
  info(line: string): void;
  error(line: string): void;
}

export interface LocalStack {
  /** Settles when firebase-tools exits on its own (a crash): the caller should stop and fail. */
  crashed: Promise<string>;
  /** Stops everything; resolves with what could not be stopped (should be empty). */
  stop(opts?: { force?: boolean }): Promise<string[]>;
}

async function checkNothingRunning(): Promise<void> {
  try {
    await assertPortsFree(localEnv().ports);
  } catch (err) {
    const orphans = orphanedStackProcesses();
    if (!orphans.length) throw err;
    const list = orphans.map((o) => `  ${o.pid}  ${o.command.slice(0, 120)}`).join('\n');
    throw new Error(
      `${(err as Error).message}\nLeft over from an earlier \`npm start\` that did not stop cleanly:\n${list}\nStop them with: kill ${orphans.map((o) => o.pid).join(' ')}`,
    );
  }
}

/** Thrown when `abort` fires while starting; everything started so far has been stopped. */
export class StartAborted extends Error {
  /** Pids that could not be stopped (should be empty). */
  left: string[] = [];
}

export async function startLocalStack(
  options: StartOptions,
  out: Output,
  /** `stop`: Ctrl-C while starting; `force`: a second Ctrl-C, do not wait for clean shutdowns. */
  signals: { stop: AbortSignal; force: AbortSignal },
): Promise<LocalStack> {
  assertFunctionsBuilt('npm start');
  const baseEnv: NodeJS.ProcessEnv = { ...offlineEnv(), CI: 'true' };
  // Throws a message saying what to install when Java or the Firestore emulator is missing.
  const fb = firebaseEmulatorEnv(baseEnv);
  await checkNothingRunning();
  mkdirSync(join(REPO_ROOT, '.tmp'), { recursive: true });
  out.info(fb.description);
  // Stops our children should this process die without doing it (see watchdog.ts).
  const watchdog = startWatchdog(REPO_ROOT, join(REPO_ROOT, '.tmp', 'local-stack-watchdog.log'));

  let google: LocalGoogle | undefined;
  let watch: FunctionsWatch | undefined;
  let emulators: RunningEmulators | undefined;
  let scheduler: Scheduler | undefined;
  let stopping: Promise<string[]> | undefined;
  let hurry = false;
  signals.force.addEventListener('abort', () => (hurry = true), { once: true });

  const stop = (opts: { force?: boolean } = {}): Promise<string[]> => {
    // A forced stop also cuts short a clean stop already under way.
    if (opts.force) hurry = true;
    stopping ??= (async () => {
      scheduler?.stop();
      const inHurry = () => hurry;
      // firebase-tools' own SIGINT handling stops its emulators (and their JVM) in order.
      if (emulators?.child.pid) await stopGroup(emulators.child.pid, 'SIGINT', 20_000, inHurry);
      if (watch?.child.pid) await stopGroup(watch.child.pid, 'SIGTERM', 3_000, inHurry);
      await google?.close();
      const firestorePid = emulators?.firestorePid();
      const left = (await sweep(firestorePid ? [firestorePid] : [])).map(String);
      if (!(await watchdog.release())) left.push('(the local-stack watchdog)');
      return left;
    })();
    return stopping;
  };

  const aborted = new Promise<never>((_, reject) => {
    const fire = () => reject(new StartAborted('stopped while starting'));
    if (signals.stop.aborted) fire();
    else signals.stop.addEventListener('abort', fire, { once: true });
  });
  aborted.catch(() => undefined);
  // Every wait while starting ends early on Ctrl-C.
  const step = <T>(p: Promise<T>): Promise<T> => Promise.race([p, aborted]);

  try {
    // Quick, and not raced with Ctrl-C so that no server is left unassigned and listening.
    google = await startDemoGoogle({
      record: false,
      onAccepted: (push) => out.info(pushLine(push, new Date())),
    });

    out.info('compiling functions (tsc --watch)…');
    watch = watchFunctions(REPO_ROOT, baseEnv, (report, first) => {
      if (report.errors.length) {
        out.error(
          `functions: ${report.errors.length} compile error(s), functions/lib may be stale:`,
        );
        for (const e of report.errors.slice(0, 10)) out.error(`  ${e}`);
      } else if (!first) {
        out.info('functions rebuilt; the Functions emulator reloads them');
      }
    });
    if (watch.child.pid) watchdog.watchGroup(watch.child.pid);
    await step(watch.firstCompile);

    // The Hosting emulator serves console/dist: the page built for these emulators.
    out.info('building the console (console/dist, for the emulators)…');
    await step(buildConsole('emulators', { quiet: true }));

    const logName = relative(process.cwd(), EMULATOR_LOG) || EMULATOR_LOG;
    out.info(`starting the emulators (firebase-tools output: ${logName})…`);
    emulators = startFirebaseEmulators({
      root: REPO_ROOT,
      env: fb.env,
      logPath: EMULATOR_LOG,
      onSurface: (text) => out.error(text),
    });
    if (emulators.child.pid) watchdog.watchGroup(emulators.child.pid);
    try {
      await step(emulators.ready);
    } catch (err) {
      if (err instanceof StartAborted) throw err;
      const tail = emulators.tail().map((l) => `  | ${l}`);
      throw new Error([`${(err as Error).message}. Last lines of ${logName}:`, ...tail].join('\n'));
    }

    const firestorePid = emulators.firestorePid();
    if (firestorePid) watchdog.watchPid(firestorePid);
    // The account the console's local build signs in as (idempotent: it may exist already).
    await step(ensureLocalOperator());
    scheduler = startScheduler(
      [
        { name: 'drainReservedPushes', everyMs: options.drainEveryMs },
        { name: 'pruneStaleTokens', everyMs: options.pruneEveryMs },
      ],
      (name, message) => out.error(`scheduler: ${name} failed: ${message}`),
    );
  } catch (err) {
    // Not forced: firebase-tools may be half way through starting the JVM; let it stop it.
    const left = await stop();
    if (err instanceof StartAborted) err.left = left;
    else if (left.length) (err as Error).message += `\n(could not stop: pid ${left.join(', ')})`;
    throw err;
  }

  const child = emulators.child;
  const crashed = new Promise<string>((resolveCrash) =>
    child.once('exit', (code, sig) => {
      if (!stopping) resolveCrash(`firebase-tools exited unexpectedly (${sig ?? `code ${code}`})`);
    }),
  );
  watch.child.once('exit', () => {
    if (!stopping) out.error('tsc --watch stopped: functions no longer rebuild on change');
  });

  const env = localEnv();
  out.info(
    [
      'ready',
      `Console ${env.hosting.url}`,
      `Functions ${env.functions.url}`,
      `Firestore ${env.firestore.url}`,
      `Auth ${env.auth.url}`,
      `FCM server ${google.fcm.url}`,
      `metadata ${google.metadata.url}`,
      `(${env.projectId}; drain every ${formatDuration(options.drainEveryMs)}; Ctrl-C stops)`,
    ].join('  '),
  );
  out.info(
    'pushes the local FCM server receives appear below (and live in the console, signed in as the local operator); try `npm run demo` in another terminal',
  );
  return { crashed, stop };
}
