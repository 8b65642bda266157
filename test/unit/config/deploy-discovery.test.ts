/**
 * What `firebase deploy` would create: the built functions module (functions/lib) loaded by
 * firebase-functions' own discovery binary, as firebase-tools runs it, with the environment
 * firebase-tools loads from functions/.env*. The example checks are exported only with
 * PUSH_EXAMPLE_CHECKS=true, and every param the module declares has a dotenv value, so
 * `firebase deploy --non-interactive` resolves all of them without a prompt.
 * Needs `npm run build` (npm test builds first).
 */
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { PARAM_NAMES } from '../../../functions/src/config/defaults';
import { LOCAL_PROJECT_ID } from '../../../tools/local-env/local-env';

const ROOT = resolve(__dirname, '..', '..', '..');
const FUNCTIONS = join(ROOT, 'functions');
const BIN = join(ROOT, 'node_modules', '.bin', 'firebase-functions');
const CORE = [
  'registerToken',
  'unregisterToken',
  'setPushPreferences',
  'getPushPreferences',
  'checkPushRequest',
  'drainReservedPushes',
  'drainShard',
  'pruneStaleTokens',
  'operatorRetry',
  'operatorCancel',
  'operatorUserDevices',
  'operatorTestSend',
];
const EXAMPLES = ['checkOrderShipped', 'checkAppointmentReminder'];

/* eslint-disable @typescript-eslint/no-require-imports -- firebase-tools internals: CommonJS, untyped */
const firebaseEnv = require('firebase-tools/lib/functions/env') as {
  loadUserEnvs(opts: object): Record<string, string>;
};
const deployParams = require('firebase-tools/lib/deploy/functions/params') as {
  resolveParams(opts: object): Promise<unknown>;
};
/* eslint-enable @typescript-eslint/no-require-imports */

interface Manifest {
  endpoints: Record<string, unknown>;
  params?: Array<{ name: string; type: string }>;
}

/** firebase-functions' discovery of functions/lib under `env`, as firebase-tools spawns it. */
function discover(userEnv: Record<string, string>, projectId: string): Manifest {
  assert.ok(
    existsSync(join(FUNCTIONS, 'lib', 'config', 'example-checks.js')),
    'functions/lib is missing or stale: run `npm run build` first (npm test does)',
  );
  const dir = mkdtempSync(join(tmpdir(), 'discovery-'));
  try {
    const out = join(dir, 'manifest.json');
    const res = spawnSync(BIN, [FUNCTIONS], {
      cwd: FUNCTIONS,
      encoding: 'utf8',
      timeout: 60_000,
      env: {
        ...userEnv,
        GCLOUD_PROJECT: projectId,
        FIREBASE_CONFIG: JSON.stringify({ projectId }),
        FUNCTIONS_CONTROL_API: 'true',
        FUNCTIONS_MANIFEST_OUTPUT_PATH: out,
        HOME: process.env.HOME,
        PATH: process.env.PATH,
      },
    });
    assert.equal(res.status, 0, `discovery failed: ${res.stderr}`);
    return JSON.parse(readFileSync(out, 'utf8')) as Manifest;
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

const envOf = (projectId: string, isEmulator: boolean) =>
  firebaseEnv.loadUserEnvs({
    functionsSource: FUNCTIONS,
    projectDir: ROOT,
    projectId,
    isEmulator,
  });

describe('function discovery (what firebase deploy sees)', () => {
  it('when a real project deploys with the committed functions/.env, then no example check is exported', () => {
    const manifest = discover(envOf('my-real-project', false), 'my-real-project');
    assert.deepEqual(Object.keys(manifest.endpoints).sort(), [...CORE].sort());
  });

  it(`when PUSH_EXAMPLE_CHECKS=true (the local project ${LOCAL_PROJECT_ID}), then both example checks are exported too`, () => {
    const manifest = discover(envOf(LOCAL_PROJECT_ID, false), LOCAL_PROJECT_ID);
    assert.deepEqual(Object.keys(manifest.endpoints).sort(), [...CORE, ...EXAMPLES].sort());
  });

  it('when PUSH_EXAMPLE_CHECKS has a typo, then loading the module fails naming it', () => {
    assert.throws(
      () => discover({ ...envOf('my-real-project', false), PUSH_EXAMPLE_CHECKS: 'yes' }, 'p-1'),
      /PUSH_EXAMPLE_CHECKS="yes" is not allowed: true or false/,
    );
  });

  it('when firebase deploy --non-interactive resolves the params, then each has a value from functions/.env', async () => {
    const manifest = discover(envOf('my-real-project', false), 'my-real-project');
    const params = manifest.params ?? [];
    assert.deepEqual(params.map((p) => p.name).sort(), [...PARAM_NAMES].sort());
    const userEnvs = envOf('my-real-project', false);
    const resolve = (envs: Record<string, string>) =>
      deployParams.resolveParams({
        params,
        firebaseConfig: { projectId: 'my-real-project' },
        userEnvs: envs,
        codebase: 'default',
        nonInteractive: true,
      });
    await resolve(userEnvs);
    // Without the file's value a non-interactive deploy stops, even though the param has a default.
    const without = { ...userEnvs };
    delete without.DRAIN_BATCH_SIZE;
    await assert.rejects(
      resolve(without),
      /non-interactive mode but have no value.*DRAIN_BATCH_SIZE/s,
    );
  });
});
