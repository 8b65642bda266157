/**
 * Rebuilds functions/lib when functions/src changes (`tsc --watch`), so the Functions emulator,
 * which watches functions/lib, reloads them. Quiet: only compile errors and "rebuilt" are shown.
 */
import type { ChildProcess } from 'node:child_process';
import { createInterface } from 'node:readline';
import { join } from 'node:path';
import { spawnInOwnGroup } from './processes';

export interface CompileReport {
  errors: string[];
}

export interface FunctionsWatch {
  child: ChildProcess;
  /** Settles when the first compile has finished (its output is in functions/lib). */
  firstCompile: Promise<CompileReport>;
}

const DONE = /Found (\d+) errors?\. Watching for file changes\./;
const ERROR_LINE = /error TS\d+:/;

export function watchFunctions(
  root: string,
  env: NodeJS.ProcessEnv,
  onCompiled: (report: CompileReport, first: boolean) => void,
): FunctionsWatch {
  const tsc = require.resolve('typescript/bin/tsc');
  const child = spawnInOwnGroup(
    process.execPath,
    [
      tsc,
      '-p',
      join(root, 'functions', 'tsconfig.build.json'),
      '--watch',
      '--preserveWatchOutput',
      '--pretty',
      'false',
    ],
    { cwd: root, env, stdio: ['ignore', 'pipe', 'pipe'] },
  );
  let errors: string[] = [];
  let first = true;
  let resolveFirst!: (r: CompileReport) => void;
  let rejectFirst!: (e: Error) => void;
  const firstCompile = new Promise<CompileReport>((res, rej) => {
    resolveFirst = res;
    rejectFirst = rej;
  });
  const onLine = (line: string) => {
    if (ERROR_LINE.test(line)) errors.push(line.trim());
    else if (DONE.test(line)) {
      const report = { errors };
      errors = [];
      onCompiled(report, first);
      if (first) resolveFirst(report);
      first = false;
    }
  };
  createInterface({ input: child.stdout! }).on('line', onLine);
  createInterface({ input: child.stderr! }).on('line', onLine);
  child.once('exit', (code, sig) =>
    rejectFirst(new Error(`tsc --watch exited before compiling (${sig ?? `code ${code}`})`)),
  );
  child.once('error', rejectFirst);
  return { child, firstCompile };
}
