/**
 * functions/.env holds every param's default, generated from defaults.ts (`npm run gen:env`), so
 * `firebase deploy --non-interactive` finds a value for each; the per-project files override it.
 * Loaded here with firebase-tools' own dotenv loader, the one deploy and the emulators use.
 */
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { copyFileSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import {
  EXAMPLE_CHECKS_SWITCH,
  PARAM_NAMES,
  defaultParamEnv,
} from '../../../functions/src/config/defaults';
import { ENV_FILE, envFileText } from '../../../tools/gen/gen-env';
import { LOCAL_PROJECT_ID } from '../../../tools/local-env/local-env';

const ROOT = resolve(__dirname, '..', '..', '..');
const FUNCTIONS = join(ROOT, 'functions');

interface LoadOptions {
  functionsSource: string;
  projectDir: string;
  projectId: string;
  isEmulator: boolean;
}
// firebase-tools ships CommonJS without types for its internals.
// eslint-disable-next-line @typescript-eslint/no-require-imports
const firebaseEnv = require('firebase-tools/lib/functions/env') as {
  loadUserEnvs(opts: LoadOptions): Record<string, string>;
};

const load = (dir: string, projectId: string, isEmulator: boolean) =>
  firebaseEnv.loadUserEnvs({ functionsSource: dir, projectDir: ROOT, projectId, isEmulator });

describe('functions/.env', () => {
  it('when defaults.ts changes, then functions/.env is regenerated (run npm run gen:env)', () => {
    assert.equal(
      readFileSync(ENV_FILE, 'utf8'),
      envFileText(),
      'functions/.env differs from functions/src/config/defaults.ts: run npm run gen:env',
    );
  });

  it('when a real project is deployed with no file of its own, then every param has its default and the example checks are off', () => {
    const env = load(FUNCTIONS, 'my-real-project', false);
    assert.deepEqual(env, { ...defaultParamEnv(), [EXAMPLE_CHECKS_SWITCH.name]: 'false' });
  });

  it('when the local project runs in the emulators, then its file overrides the defaults and turns the example checks on', () => {
    // A copy without any functions/.env.local of this machine.
    const dir = mkdtempSync(join(tmpdir(), 'env-demo-'));
    copyFileSync(ENV_FILE, join(dir, '.env'));
    const local = `.env.${LOCAL_PROJECT_ID}`;
    copyFileSync(join(FUNCTIONS, local), join(dir, local));
    const env = load(dir, LOCAL_PROJECT_ID, true);
    rmSync(dir, { recursive: true, force: true });
    // The local FCM and metadata servers, on this machine (their ports: tools/local-env).
    assert.match(env.FCM_ENDPOINT!, /^http:\/\/127\.0\.0\.1:\d+$/);
    assert.match(env.GCE_METADATA_HOST!, /^127\.0\.0\.1:\d+$/);
    assert.equal(env[EXAMPLE_CHECKS_SWITCH.name], 'true');
    // Fewer shard workers: each is a Functions emulator process of its own on a 2-core machine.
    assert.match(env.SHARD_WORKERS!, /^[1-4]$/);
    const overridden = ['FCM_ENDPOINT', 'SHARD_WORKERS'];
    for (const name of PARAM_NAMES.filter((n) => !overridden.includes(n)))
      assert.equal(env[name], defaultParamEnv()[name], `${name} keeps its default`);
  });

  it('when .env, .env.<project> and .env.local all set a value, then .env.local wins in the emulator and .env.<project> in a deploy', () => {
    const dir = mkdtempSync(join(tmpdir(), 'env-precedence-'));
    try {
      copyFileSync(ENV_FILE, join(dir, '.env'));
      writeFileSync(join(dir, '.env.my-project'), 'DRAIN_BATCH_SIZE=200\nMAX_ATTEMPTS=3\n');
      writeFileSync(join(dir, '.env.local'), 'DRAIN_BATCH_SIZE=7\n');
      const deployed = load(dir, 'my-project', false);
      assert.equal(deployed.DRAIN_BATCH_SIZE, '200');
      assert.equal(deployed.MAX_ATTEMPTS, '3');
      assert.equal(deployed.LEASE_SECONDS, '120');
      const emulated = load(dir, 'my-project', true);
      assert.equal(emulated.DRAIN_BATCH_SIZE, '7');
      assert.equal(emulated.MAX_ATTEMPTS, '3');
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it(`when git decides what to commit, then functions/.env and .env.${LOCAL_PROJECT_ID} are committed and .env.local is not`, () => {
    const ignored = (path: string) => {
      try {
        execFileSync('git', ['check-ignore', '-q', path], { cwd: ROOT });
        return true;
      } catch {
        return false;
      }
    };
    assert.equal(ignored('functions/.env'), false, '.gitignore must not exclude functions/.env');
    assert.equal(ignored(`functions/.env.${LOCAL_PROJECT_ID}`), false);
    assert.equal(ignored('functions/.env.local'), true);
  });
});
