/**
 * The rebuild-on-change half of `npm start`: tsc --watch on a throwaway functions folder, so the
 * real functions/src is never touched.
 */
import { after, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { watchFunctions, type CompileReport } from '../../tools/local-stack/functions-watch';
import { groupAlive, stopGroup } from '../../tools/local-stack/processes';

describe('functions rebuild on change', () => {
  const root = mkdtempSync(join(tmpdir(), 'local-stack-watch-'));
  after(() => rmSync(root, { recursive: true, force: true }));

  it('when a source file changes, then lib is rebuilt, and a compile error is reported with its file', async () => {
    mkdirSync(join(root, 'functions', 'src'), { recursive: true });
    writeFileSync(
      join(root, 'functions', 'tsconfig.build.json'),
      JSON.stringify({
        compilerOptions: { strict: true, outDir: 'lib', rootDir: 'src', module: 'commonjs' },
        include: ['src'],
      }),
    );
    const source = join(root, 'functions', 'src', 'index.ts');
    writeFileSync(source, 'export const answer: number = 41;\n');

    const reports: CompileReport[] = [];
    const waiters: ((r: CompileReport) => void)[] = [];
    const next = () => new Promise<CompileReport>((r) => waiters.push(r));
    const watch = watchFunctions(root, process.env, (report) => {
      reports.push(report);
      waiters.shift()?.(report);
    });
    try {
      assert.deepEqual((await watch.firstCompile).errors, []);
      const lib = join(root, 'functions', 'lib', 'index.js');
      assert.match(readFileSync(lib, 'utf8'), /answer = 41/);

      let compiled = next();
      writeFileSync(source, 'export const answer: number = 42;\n');
      assert.deepEqual((await compiled).errors, []);
      assert.match(readFileSync(lib, 'utf8'), /answer = 42/);

      compiled = next();
      writeFileSync(source, "export const answer: number = 'forty-two';\n");
      const broken = await compiled;
      assert.equal(broken.errors.length, 1);
      assert.match(broken.errors[0], /src\/index\.ts\(1,14\): error TS2322/);
    } finally {
      await stopGroup(watch.child.pid!, 'SIGTERM', 3_000);
    }
    assert.equal(groupAlive(watch.child.pid!), false);
    assert.equal(reports.length, 3);
  });
});
