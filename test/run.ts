/**
 * `npm test`: runs every tier with the real parts it needs, then stops them.
 *
 *   unit         pure core, no emulator
 *   integration  Google's Firestore emulator (started here from its jar, on a free port)
 *   e2e          firebase-tools' Functions + Auth + Firestore emulators serving functions/lib,
 *                called through the Firebase JS SDK
 *   browser      the operator console in headless Chromium (Debian's chromium, driven by
 *                playwright-core): the e2e tier's emulators plus Hosting serving the console,
 *                built here for the emulators
 *   stack        `npm start` / `npm run demo` themselves (they start the emulators on the fixed
 *                ports, so no emulator of ours may hold them)
 *
 * Usage: tsx test/run.ts [unit|integration|e2e|browser|stack ...] [--only <substring>]
 * Prints one closing line "total: N passed, N failed" over all tiers; exits non-zero on any failure.
 */
import { spawn } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, readdirSync, rmSync, statSync } from 'node:fs';
import { availableParallelism } from 'node:os';
import { join, relative } from 'node:path';
import { buildConsole } from '../tools/console/build';
import { startFirestoreEmulator } from '../tools/emulators/firestore-emulator';
import {
  assertFunctionsBuilt,
  emulatorsExecArgs,
  firebaseEmulatorEnv,
} from '../tools/emulators/firebase-env';
import { assertPortsFree } from '../tools/emulators/ports';
import {
  CONSOLE_EMULATORS,
  LOCAL_EMULATORS,
  localEnv,
  offlineEnv,
  REPO_ROOT as ROOT,
} from '../tools/local-env/local-env';
import { chromiumPath } from './support/browser';

const TIERS = ['unit', 'integration', 'e2e', 'browser', 'stack'] as const;
type Tier = (typeof TIERS)[number];

function testFiles(tier: Tier, only?: string): string[] {
  const out: string[] = [];
  const walk = (dir: string) => {
    if (!existsSync(dir)) return;
    for (const name of readdirSync(dir).sort()) {
      const p = join(dir, name);
      if (statSync(p).isDirectory()) walk(p);
      else if (name.endsWith('.test.ts')) out.push(relative(ROOT, p));
    }
  };
  walk(join(ROOT, 'test', tier));
  return only ? out.filter((f) => f.includes(only)) : out;
}

interface Counts {
  pass: number;
  fail: number;
  skipped: number;
  todo: number;
}

function run(cmd: string, args: string[], env: NodeJS.ProcessEnv): Promise<number> {
  return new Promise((resolveExit, reject) => {
    const child = spawn(cmd, args, { cwd: ROOT, env, stdio: 'inherit' });
    const forward = (sig: NodeJS.Signals) => child.kill(sig);
    process.once('SIGINT', forward);
    process.once('SIGTERM', forward);
    child.on('error', reject);
    child.on('exit', (code, signal) => {
      process.removeListener('SIGINT', forward);
      process.removeListener('SIGTERM', forward);
      resolveExit(code ?? (signal ? 1 : 0));
    });
  });
}

/**
 * node:test's run() API in a child process (test/run-files.ts): the spec reporter on screen and
 * the counts from its own events, written to `countsFile`. Unit test files run two at a time
 * (the machines have 2 cores); tiers with shared emulators run one file at a time.
 */
function runFilesArgs(files: string[], countsFile: string, concurrency: number): string[] {
  return [
    '--import',
    'tsx',
    join(ROOT, 'test', 'run-files.ts'),
    countsFile,
    String(concurrency),
    ...files,
  ];
}

function readCounts(countsFile: string): Counts {
  if (!existsSync(countsFile)) return { pass: 0, fail: 1, skipped: 0, todo: 0 }; // It never ran.
  return JSON.parse(readFileSync(countsFile, 'utf8')) as Counts;
}

async function runTier(
  tier: Tier,
  only: string | undefined,
  baseEnv: NodeJS.ProcessEnv,
): Promise<Counts & { exit: number }> {
  const files = testFiles(tier, only);
  if (files.length === 0) {
    console.log(`\n== ${tier}: no test files${only ? ` matching "${only}"` : ''}`);
    return { pass: 0, fail: 0, skipped: 0, todo: 0, exit: 0 };
  }
  const countsFile = join(ROOT, '.tmp', `counts-${tier}-${process.pid}.json`);
  rmSync(countsFile, { force: true });
  const args = runFilesArgs(files, countsFile, tier === 'unit' ? availableParallelism() : 1);
  console.log(`\n== ${tier}: ${files.length} files`);
  let exit: number;
  if (tier === 'unit') {
    exit = await run(process.execPath, args, baseEnv);
  } else if (tier === 'stack') {
    assertFunctionsBuilt('npm test');
    await assertPortsFree(localEnv().ports);
    exit = await run(process.execPath, args, baseEnv);
  } else if (tier === 'integration') {
    const firestore = await startFirestoreEmulator();
    console.log(`   Firestore emulator ${firestore.host} (${firestore.jar})`);
    try {
      exit = await run(process.execPath, args, {
        ...baseEnv,
        FIRESTORE_EMULATOR_HOST: firestore.host,
      });
    } finally {
      await firestore.stop();
    }
  } else {
    assertFunctionsBuilt('npm test');
    if (tier === 'browser') {
      // Say what to install before anything starts (one failure; the other tiers still run),
      // then build the page the Hosting emulator serves.
      try {
        console.log(`   Chromium ${chromiumPath()}`);
      } catch (err) {
        console.log(`FAIL: ${(err as Error).message}`);
        return { pass: 0, fail: 1, skipped: 0, todo: 0, exit: 1 };
      }
      await buildConsole('emulators', { quiet: true });
    }
    await assertPortsFree(localEnv().ports);
    const fb = firebaseEmulatorEnv(baseEnv);
    console.log(`   ${fb.description}`);
    const emulators = tier === 'browser' ? CONSOLE_EMULATORS : LOCAL_EMULATORS;
    exit = await run(process.execPath, emulatorsExecArgs([process.execPath, ...args], emulators), {
      ...fb.env,
      CI: 'true',
    });
  }
  const counts = readCounts(countsFile);
  rmSync(countsFile, { force: true });
  return { ...counts, exit };
}

async function main() {
  const args = process.argv.slice(2);
  const onlyAt = args.indexOf('--only');
  const only = onlyAt >= 0 ? args[onlyAt + 1] : undefined;
  const named = args.filter(
    (a, i) => (TIERS as readonly string[]).includes(a) && (onlyAt < 0 || i !== onlyAt + 1),
  );
  const tiers = named.length ? (named as Tier[]) : [...TIERS];
  mkdirSync(join(ROOT, '.tmp'), { recursive: true });
  // Never let Google client libraries probe the cloud metadata address from a test.
  const baseEnv: NodeJS.ProcessEnv = { ...offlineEnv(), FIREBASE_PUSH_ROOT: ROOT };
  const started = Date.now();
  const total: Counts = { pass: 0, fail: 0, skipped: 0, todo: 0 };
  let failedTiers = 0;
  for (const tier of tiers) {
    const t0 = Date.now();
    const r = await runTier(tier, only, baseEnv);
    total.pass += r.pass;
    total.fail += r.fail;
    total.skipped += r.skipped;
    total.todo += r.todo;
    const bad = r.exit !== 0 || r.fail > 0;
    if (bad) failedTiers++;
    console.log(
      `== ${tier}: ${r.pass} passed, ${r.fail} failed in ${((Date.now() - t0) / 1000).toFixed(1)} s${bad ? ` (exit ${r.exit})` : ''}`,
    );
  }
  // A skipped test is not a passing test: count it as a failure so it cannot hide.
  if (total.skipped + total.todo > 0) {
    console.log(
      `${total.skipped + total.todo} test(s) skipped or todo: not allowed, counted as failed.`,
    );
    total.fail += total.skipped + total.todo;
    failedTiers++;
  }
  console.log(`wall time: ${((Date.now() - started) / 1000).toFixed(1)} s`);
  console.log(`total: ${total.pass} passed, ${total.fail} failed`);
  process.exit(failedTiers > 0 ? 1 : 0);
}

main().catch((err) => {
  console.error(err instanceof Error ? err.message : err);
  console.log('total: 0 passed, 1 failed');
  process.exit(1);
});
