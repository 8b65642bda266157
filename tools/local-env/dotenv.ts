/**
 * The one reader of functions/.env* in this repository, by firebase-tools' own rules (its
 * `lib/functions/env.js`: `parse` and `loadUserEnvs`), so that tools see the values the functions
 * get: `firebase deploy` loads functions/.env, then functions/.env.<project-id>; the emulators
 * load functions/.env.local last. A later file's value wins.
 *
 * firebase-tools itself is not loaded here: its env module takes about a second to require, too
 * long for every CLI call. test/unit/local-env/dotenv.test.ts checks this reader against it.
 */
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';

/**
 * firebase-tools' line pattern: an optional `export`, a key, `=`, then a single-quoted,
 * double-quoted or bare value (a bare one ends at `#`), and an optional comment.
 */
const LINE =
  /^\s*(?:export)?\s*([\w./]+)\s*=[\f\t\v]*(\s*'(?:\\'|[^'])*'|\s*"(?:\\"|[^"])*"|[^#\r\n]*)?\s*(?:#[^\n]*)?$/gms;

const ESCAPES: Readonly<Record<string, string>> = {
  '\\n': '\n',
  '\\r': '\r',
  '\\t': '\t',
  '\\v': '\v',
  '\\\\': '\\',
  "\\'": "'",
  '\\"': '"',
};

export interface ParsedDotenv {
  values: Record<string, string>;
  /** Lines that are neither an assignment, a comment nor blank. */
  errors: string[];
}

/** A dotenv text as firebase-tools reads it (its `parse`). */
export function parseDotenv(text: string): ParsedDotenv {
  const line = new RegExp(LINE.source, LINE.flags);
  // firebase-tools replaces only the first line break of this kind (no g flag); kept identical.
  const data = text.replace(/\r\n?/, '\n');
  const values: Record<string, string> = {};
  for (let match = line.exec(data); match; match = line.exec(data)) {
    const key = match[1]!;
    let value = (match[2] ?? '').trim();
    const quoted = /^(["'])(.*)\1$/s.exec(value);
    if (quoted) {
      value = quoted[2]!;
      if (quoted[1] === '"') value = value.replace(/\\[nrtv\\'"]/g, (s) => ESCAPES[s]!);
    }
    values[key] = value;
  }
  const errors = data
    .replace(line, '')
    .split(/[\r\n]+/)
    .map((l) => l.trim())
    .filter((l) => l.length > 0 && !l.startsWith('#'));
  return { values, errors };
}

/** One dotenv file's values; none when it does not exist. Throws on a line firebase-tools refuses. */
export function readDotenvFile(path: string): Record<string, string> {
  if (!existsSync(path)) return {};
  const { values, errors } = parseDotenv(readFileSync(path, 'utf8'));
  if (errors.length) {
    throw new Error(
      `${path}: not a dotenv line (firebase-tools refuses it too): ${errors.join(', ')}`,
    );
  }
  return values;
}

/**
 * What the functions in `functionsDir` get for `projectId`: `.env`, then `.env.<projectId>`, then
 * in the emulators `.env.local`; a later file wins (firebase-tools' `loadUserEnvs`).
 */
export function loadFunctionsEnv(
  functionsDir: string,
  projectId: string,
  options: { emulator: boolean },
): Record<string, string> {
  const files = ['.env', `.env.${projectId}`, ...(options.emulator ? ['.env.local'] : [])];
  return Object.assign({}, ...files.map((f) => readDotenvFile(join(functionsDir, f)))) as Record<
    string,
    string
  >;
}
