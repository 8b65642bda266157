/**
 * Parameter values as `firebase deploy` gives them to the functions: functions/.env, then
 * functions/.env.<project-id> (each line KEY=value). The CLI reads them so that, for example,
 * `prune` uses the same STALE_TOKEN_DAYS as the deployed pruneStaleTokens.
 */
import { existsSync, readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';

const FUNCTIONS_DIR = resolve(__dirname, '..', '..', '..', 'functions');

function readEnvFile(path: string): Record<string, string> {
  if (!existsSync(path)) return {};
  const out: Record<string, string> = {};
  for (const line of readFileSync(path, 'utf8').split('\n')) {
    const match = /^\s*([A-Z_][A-Z0-9_]*)\s*=\s*(.*?)\s*$/.exec(line);
    if (match) out[match[1]!] = match[2]!.replace(/^(['"])(.*)\1$/, '$2');
  }
  return out;
}

export function projectParams(projectId: string): Record<string, string> {
  return {
    ...readEnvFile(join(FUNCTIONS_DIR, '.env')),
    ...readEnvFile(join(FUNCTIONS_DIR, `.env.${projectId}`)),
  };
}
