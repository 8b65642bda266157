/**
 * `npm run bench:drain`: the reserved-push drain, end to end on the emulators.
 *
 * Runs tools/bench/drain-run.ts inside `firebase emulators:exec` (Functions + Firestore + Auth),
 * because the immediate-push latency needs the real Firestore trigger path. The inner script
 * writes its figures to .tmp/bench-drain.json; this wrapper prints them last, so the final line
 * is the JSON summary. Flags pass through: --n 10000 --seed-n 300 --rtt-ms 30 --writes 200
 */
import { spawnSync } from 'node:child_process';
import { existsSync, readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import {
  assertFunctionsBuilt,
  emulatorsExecArgs,
  firebaseEmulatorEnv,
} from '../emulators/firebase-env';
import { assertPortsFree } from '../emulators/ports';
import { localEnv, offlineEnv, REPO_ROOT as ROOT } from '../local-env/local-env';

const OUT = join(ROOT, '.tmp', 'bench-drain.json');

async function main() {
  assertFunctionsBuilt('npm run bench:drain');
  await assertPortsFree(localEnv().ports);
  rmSync(OUT, { force: true });
  const fb = firebaseEmulatorEnv(offlineEnv());
  console.log(fb.description);
  const run = spawnSync(
    process.execPath,
    emulatorsExecArgs([
      process.execPath,
      '--import',
      'tsx',
      join(__dirname, 'drain-run.ts'),
      ...process.argv.slice(2),
    ]),
    {
      cwd: ROOT,
      env: { ...fb.env, CI: 'true', BENCH_OUT: OUT },
      stdio: ['ignore', 'pipe', 'inherit'],
      encoding: 'utf8',
      maxBuffer: 256 * 1024 * 1024,
    },
  );
  // Only the benchmark's own lines, not the emulators' function logs.
  for (const line of run.stdout.split('\n'))
    if (line.startsWith('[bench]')) console.log(line.slice(8));
  if (run.status !== 0 || !existsSync(OUT)) {
    console.error(run.stdout.split('\n').slice(-40).join('\n'));
    throw new Error(`benchmark failed (exit ${run.status})`);
  }
  console.log(readFileSync(OUT, 'utf8').trim());
}

main().catch((err) => {
  console.error(err instanceof Error ? err.message : err);
  process.exit(1);
});
