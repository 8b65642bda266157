/**
 * Children of `npm start` and how to make sure none outlives it.
 *
 * Each child runs in its own process group (so a terminal's Ctrl-C reaches only us and we decide
 * the order of shutdown, and so a group kill also ends the child's own children). That alone is
 * not enough: firebase-tools starts the Firestore JVM `detached`, in yet another group, and if
 * firebase-tools dies abruptly that JVM is orphaned. So every child also carries an environment
 * marker, inherited by everything it starts, and the final sweep finds stragglers by that marker
 * (Linux /proc; elsewhere only the pids we were told about can be checked).
 */
import { spawn, type ChildProcess, type SpawnOptions } from 'node:child_process';
import { existsSync, openSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';

/** Set on every child; its value is the pid of the `npm start` process that owns it. */
export const STACK_MARKER = 'PUSH_LOCAL_STACK_RUN';
/** Set on the watchdog (see watchdog.ts), which must not be swept with the rest. */
export const WATCHDOG_MARKER = 'PUSH_LOCAL_STACK_WATCHDOG';

export function spawnInOwnGroup(
  cmd: string,
  args: string[],
  options: Omit<SpawnOptions, 'detached'> & { env: NodeJS.ProcessEnv },
): ChildProcess {
  return spawn(cmd, args, {
    ...options,
    env: { ...options.env, [STACK_MARKER]: String(process.pid) },
    detached: true,
  });
}

export function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    // EPERM: it exists but belongs to someone else.
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/** True while any process of group `pgid` exists. */
export function groupAlive(pgid: number): boolean {
  return isAlive(-pgid);
}

function signal(target: number, sig: NodeJS.Signals): void {
  try {
    process.kill(target, sig);
  } catch {
    // Already gone.
  }
}

export const canScanProcesses = existsSync('/proc/self/environ');

/** Every live process carrying `marker`, with the pid of the `npm start` that owns it. */
function stackProcesses(marker = STACK_MARKER): { pid: number; owner: number }[] {
  if (!canScanProcesses) return [];
  const MARKER_VALUE = new RegExp(`\0${marker}=(\\d+)\0`);
  const found: { pid: number; owner: number }[] = [];
  for (const name of readdirSync('/proc')) {
    if (!/^\d+$/.test(name) || Number(name) === process.pid) continue;
    try {
      const m = MARKER_VALUE.exec(`\0${readFileSync(`/proc/${name}/environ`, 'latin1')}`);
      if (m) found.push({ pid: Number(name), owner: Number(m[1]) });
    } catch {
      // exited meanwhile, or not ours to read
    }
  }
  return found;
}

/** Pids of live processes of `ownerPid`'s stack (empty where /proc is missing). */
export function markedProcesses(ownerPid: number = process.pid, marker = STACK_MARKER): number[] {
  return stackProcesses(marker)
    .filter((p) => p.owner === ownerPid)
    .map((p) => p.pid);
}

/** The command line of a process, for "left running" messages ('' when unknown). */
export function commandLine(pid: number): string {
  try {
    return readFileSync(`/proc/${pid}/cmdline`, 'utf8').split('\0').join(' ').trim();
  } catch {
    return '';
  }
}

async function until(done: () => boolean, timeoutMs: number): Promise<boolean> {
  const deadline = Date.now() + timeoutMs;
  while (!done()) {
    if (Date.now() > deadline) return false;
    await new Promise((r) => setTimeout(r, 100));
  }
  return true;
}

/**
 * Asks the leader of group `pgid` to stop with `sig` and waits up to `graceMs` (or until
 * `hurry()`) for the whole group to end, then kills the group. Works when the leader is already
 * dead but its group lives on.
 */
export async function stopGroup(
  pgid: number,
  sig: NodeJS.Signals,
  graceMs: number,
  hurry: () => boolean = () => false,
): Promise<void> {
  if (isAlive(pgid)) signal(pgid, sig);
  await until(() => !groupAlive(pgid) || hurry(), graceMs);
  if (!groupAlive(pgid)) return;
  signal(-pgid, 'SIGKILL');
  await until(() => !groupAlive(pgid), 5_000);
}

/**
 * Kills every process of `ownerPid`'s stack we can find by marker, plus `extraPids` (e.g. the
 * Firestore JVM the hub reported), and returns what is still alive afterwards: should be none.
 */
export async function sweep(
  extraPids: number[],
  ownerPid: number = process.pid,
): Promise<number[]> {
  const targets = () => [...new Set([...markedProcesses(ownerPid), ...extraPids.filter(isAlive)])];
  for (const pid of targets()) signal(pid, 'SIGKILL');
  await until(() => targets().length === 0, 5_000);
  return targets();
}

/**
 * Processes left by an earlier `npm start` that died before it could clean up (and whose
 * watchdog could not either): they carry the marker, but the pid it names is gone.
 */
export function orphanedStackProcesses(): { pid: number; command: string }[] {
  return stackProcesses()
    .filter((p) => !isAlive(p.owner))
    .map((p) => ({ pid: p.pid, command: commandLine(p.pid) }));
}

export interface Watchdog {
  watchGroup(pgid: number): void;
  watchPid(pid: number): void;
  /** Everything is stopped: let the watchdog go; resolves once it has exited. */
  release(): Promise<boolean>;
}

/** Starts watchdog.ts for this process (see there); its complaints go to `logPath`. */
export function startWatchdog(root: string, logPath: string): Watchdog {
  const child = spawn(
    process.execPath,
    ['--import', 'tsx', join(__dirname, 'watchdog.ts'), String(process.pid)],
    {
      cwd: root,
      env: { ...process.env, [WATCHDOG_MARKER]: String(process.pid) },
      detached: true,
      stdio: ['pipe', 'ignore', openSync(logPath, 'a')],
    },
  );
  // An EPIPE after the watchdog died must not take `npm start` down.
  child.stdin!.on('error', () => undefined);
  const tell = (line: string) => child.stdin!.write(`${line}\n`);
  const exited = new Promise<void>((r) => child.once('exit', () => r()));
  return {
    watchGroup: (pgid) => tell(`group ${pgid}`),
    watchPid: (pid) => tell(`pid ${pid}`),
    async release() {
      tell('done');
      child.stdin!.end();
      let timer: NodeJS.Timeout | undefined;
      const gaveUp = new Promise<boolean>((r) => (timer = setTimeout(() => r(false), 5_000)));
      const ok = await Promise.race([exited.then(() => true), gaveUp]);
      clearTimeout(timer);
      if (!ok) signal(child.pid!, 'SIGKILL');
      return ok;
    },
  };
}
