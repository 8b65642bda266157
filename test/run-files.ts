/**
 * Runs test files with node:test's own `run()` API (each file in its own process, TypeScript
 * through tsx, which child processes inherit from this one's `--import tsx`), prints the spec
 * reporter, and writes the counts as JSON to the path in argv[2]. test/run.ts starts it inside
 * whatever each tier needs (an emulator, `firebase emulators:exec`).
 *
 * Usage: node --import tsx test/run-files.ts <counts.json> <concurrency> <file>...
 */
import { writeFileSync } from 'node:fs';
import { run } from 'node:test';
import { spec } from 'node:test/reporters';

interface TestEvent {
  name: string;
  skip?: boolean | string;
  todo?: boolean | string;
  details?: { type?: string };
}

const [countsFile, concurrencyArg, ...files] = process.argv.slice(2);
const counts = { pass: 0, fail: 0, skipped: 0, todo: 0 };
// Suites report too; only tests (and files that failed to load) are counted.
const isTest = (e: TestEvent) => e.details?.type !== 'suite';

const stream = run({ files, concurrency: Number(concurrencyArg) || 1 });
stream.on('test:pass', (e: TestEvent) => {
  if (!isTest(e)) return;
  if (e.skip !== undefined && e.skip !== false) counts.skipped++;
  else if (e.todo !== undefined && e.todo !== false) counts.todo++;
  else counts.pass++;
});
stream.on('test:fail', (e: TestEvent) => {
  if (isTest(e)) counts.fail++;
});
stream.on('end', () => {
  writeFileSync(countsFile, JSON.stringify(counts));
  process.exitCode = counts.fail > 0 ? 1 : 0;
});
stream.compose(new spec()).pipe(process.stdout);
