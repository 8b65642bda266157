/**
 * The `fcm-push` CLI as the tests run it: in this process exactly as the binary runs it, or as the
 * binary itself (bin/fcm-push.js, a child process that loads the CLI through tsx).
 */
import { spawn } from 'node:child_process';
import { join } from 'node:path';
import { runCli } from '../../tools/cli/src/cli';
import { REPO_ROOT } from '../../tools/local-env/local-env';

const BIN = join(REPO_ROOT, 'tools', 'cli', 'bin', 'fcm-push.js');

/** What one run of the CLI answered: its exit code and everything it printed. */
export interface CliRun {
  code: number;
  stdout: string;
  stderr: string;
}

/** The CLI in this process, with `env` as its environment. */
export async function runCliHere(argv: string[], env = process.env): Promise<CliRun> {
  let stdout = '';
  let stderr = '';
  const code = await runCli(argv, {
    stdout: { write: (s: string) => (stdout += s) },
    stderr: { write: (s: string) => (stderr += s) },
    env,
  });
  return { code, stdout, stderr };
}

/** The binary as a child process in the repository's root, with `env` as its environment. */
export function spawnCli(argv: string[], env = process.env): Promise<CliRun> {
  return new Promise((resolveRun, reject) => {
    const child = spawn(process.execPath, [BIN, ...argv], { cwd: REPO_ROOT, env });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (c: Buffer) => (stdout += c.toString('utf8')));
    child.stderr.on('data', (c: Buffer) => (stderr += c.toString('utf8')));
    child.on('error', reject);
    child.on('close', (code) => resolveRun({ code: code ?? -1, stdout, stderr }));
  });
}
