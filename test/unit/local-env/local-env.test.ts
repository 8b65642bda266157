/**
 * The one dotenv reader (tools/local-env/dotenv.ts) against firebase-tools' own (the one deploy and
 * the emulators use), and the local project's constants against the files they come from.
 */
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import fc from 'fast-check';
import { loadFunctionsEnv, parseDotenv } from '../../../tools/local-env/dotenv';
import {
  FIREBASE_JSON,
  FIREBASE_TOOLS_DEFAULT_PORTS,
  FUNCTIONS_DIR,
  LOCAL_EMULATORS,
  LOCAL_PROJECT_ID,
  REPO_ROOT,
  localEnv,
  projectEnv,
} from '../../../tools/local-env/local-env';
import { fuzzParams } from '../../support/fuzz-inputs';

// firebase-tools ships CommonJS without types for its internals.
/* eslint-disable @typescript-eslint/no-require-imports */
const firebaseEnv = require('firebase-tools/lib/functions/env') as {
  parse(data: string): { envs: Record<string, string>; errors: string[] };
  loadUserEnvs(opts: object): Record<string, string>;
};
const firebaseConstants = require('firebase-tools/lib/emulator/constants') as {
  DEFAULT_PORTS: Record<string, number>;
};
/* eslint-enable @typescript-eslint/no-require-imports */

const theirs = (text: string) => {
  const { envs, errors } = firebaseEnv.parse(text);
  return { values: envs, errors };
};
const loadTheirs = (dir: string, projectId: string, isEmulator: boolean) =>
  firebaseEnv.loadUserEnvs({ functionsSource: dir, projectDir: REPO_ROOT, projectId, isEmulator });

/** Lines of the kinds a dotenv file holds, and the odd ones it should not. */
const dotenvText = fc
  .array(
    fc.oneof(
      fc
        .tuple(
          fc.constantFrom('', 'export ', '  ', 'export\t'),
          fc.stringMatching(/^[A-Za-z_][A-Za-z0-9_./]{0,8}$/),
          fc.constantFrom('=', ' = ', '=\t', ' ='),
          fc.oneof(
            fc.string({
              unit: fc.constantFrom('a', 'Z', '0', ' ', '\\', 'n', '#', '"', "'", '\t', '='),
              maxLength: 12,
            }),
            fc.string({ maxLength: 8 }).map((s) => `"${s}"`),
            fc.string({ maxLength: 8 }).map((s) => `'${s}'`),
            fc.constantFrom('"a\\r\\nb"', '"a\r\nb"', "'x\ny'", '"unclosed'),
          ),
          fc.constantFrom('', ' # a comment', '#x', '  '),
        )
        .map((parts) => parts.join('')),
      fc.constantFrom('', '# comment', '   ', 'NOT AN ASSIGNMENT', '=value', 'KEY'),
      fc.string({ maxLength: 10 }),
    ),
    { maxLength: 6 },
  )
  .chain((lines) => fc.constantFrom('\n', '\r\n', '\r').map((eol) => lines.join(eol)));

describe('the dotenv reader', () => {
  it('when given what a dotenv file may hold, then it reads it exactly as firebase-tools does', () => {
    fc.assert(
      fc.property(dotenvText, (text) => {
        assert.deepEqual(parseDotenv(text), theirs(text));
      }),
      fuzzParams(2_000),
    );
  });

  it('when values are quoted, escaped, exported or commented, then they read as in firebase-tools', () => {
    const text = [
      'export A=1',
      'B = two words # a comment',
      'C="line\\nbreak \\"quoted\\""',
      "D='single \\n stays'",
      'E=',
      'F="multi',
      'line"',
      'G=#not a value',
      'H=a#b',
    ].join('\n');
    assert.deepEqual(parseDotenv(text), theirs(text));
    assert.deepEqual(parseDotenv(text).values, {
      A: '1',
      B: 'two words',
      C: 'line\nbreak "quoted"',
      D: 'single \\n stays',
      E: '',
      F: 'multi\nline',
      G: '',
      H: 'a',
    });
  });

  it('when .env, .env.<project> and .env.local all exist, then it loads them as firebase-tools does, for a deploy and in the emulators', () => {
    const dir = mkdtempSync(join(tmpdir(), 'dotenv-'));
    try {
      writeFileSync(join(dir, '.env'), 'A=env\nB=env\nC=env\n');
      writeFileSync(join(dir, '.env.my-project'), 'B=project\nC=project\n');
      writeFileSync(join(dir, '.env.local'), 'C=local\n');
      for (const emulator of [false, true]) {
        assert.deepEqual(
          loadFunctionsEnv(dir, 'my-project', { emulator }),
          loadTheirs(dir, 'my-project', emulator),
        );
      }
      assert.deepEqual(loadFunctionsEnv(dir, 'other', { emulator: false }), {
        A: 'env',
        B: 'env',
        C: 'env',
      });
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('when it reads functions/, then it sees what firebase-tools gives the functions of the local project and of a real one', () => {
    assert.deepEqual(
      projectEnv(LOCAL_PROJECT_ID, { emulator: true }),
      loadTheirs(FUNCTIONS_DIR, LOCAL_PROJECT_ID, true),
    );
    assert.deepEqual(
      projectEnv('my-real-project', { emulator: false }),
      loadTheirs(FUNCTIONS_DIR, 'my-real-project', false),
    );
  });
});

describe('the local environment', () => {
  it('when firebase.json declares the emulators, then their hosts and ports are those', () => {
    const declared = (
      JSON.parse(readFileSync(FIREBASE_JSON, 'utf8')) as {
        emulators: Record<string, { host: string; port: number }>;
      }
    ).emulators;
    const env = localEnv();
    for (const name of LOCAL_EMULATORS) {
      assert.equal(env[name].host, declared[name]!.host, name);
      assert.equal(env[name].port, declared[name]!.port, name);
    }
  });

  it('when firebase.json leaves the hub out, then its port is firebase-tools default', () => {
    assert.equal(FIREBASE_TOOLS_DEFAULT_PORTS.hub, firebaseConstants.DEFAULT_PORTS.hub);
  });

  it('when the functions run in the emulator, then the local servers listen where their env sends them', () => {
    const env = localEnv();
    const functionsSee = loadTheirs(FUNCTIONS_DIR, LOCAL_PROJECT_ID, true);
    assert.equal(env.fcm.url, functionsSee.FCM_ENDPOINT);
    assert.equal(env.metadata.address, functionsSee.GCE_METADATA_HOST);
    assert.equal(env.region, functionsSee.PUSH_REGION);
  });

  it('when the repository is cloned, then the local project is a demo project, the default of .firebaserc, and no two servers share a port', () => {
    assert.match(LOCAL_PROJECT_ID, /^demo-/, 'demo-* projects never reach Google');
    const firebaserc = JSON.parse(readFileSync(join(REPO_ROOT, '.firebaserc'), 'utf8')) as {
      projects: { default: string };
    };
    assert.equal(firebaserc.projects.default, LOCAL_PROJECT_ID);
    const ports = Object.values(localEnv().ports);
    assert.equal(new Set(ports).size, ports.length);
  });
});
