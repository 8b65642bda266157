/**
 * The deployed console holds nothing of the local build: no emulator connection, no automatic
 * sign-in, no local operator account, no loopback address. Builds production into a temporary
 * folder (console/dist, which the Hosting emulator may be serving, is left alone) and reads
 * every file of the bundle.
 */
import { after, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, readdirSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { buildConsole } from '../../tools/console/build';
import { localEnv } from '../../tools/local-env/local-env';
import { LOCAL_OPERATOR } from '../../tools/local-stack/local-operator-account';

function filesUnder(dir: string): string[] {
  return readdirSync(dir).flatMap((n) => {
    const p = join(dir, n);
    return statSync(p).isDirectory() ? filesUnder(p) : [p];
  });
}

describe('the production console bundle', () => {
  const dirs: string[] = [];
  after(() => dirs.forEach((d) => rmSync(d, { recursive: true, force: true })));

  const build = async (mode: 'production' | 'emulators') => {
    const dir = mkdtempSync(join(tmpdir(), `console-${mode}-`));
    dirs.push(dir);
    await buildConsole(mode, { outDir: dir, quiet: true });
    return filesUnder(dir)
      .map((f) => readFileSync(f, 'utf8'))
      .join('\n');
  };

  it('when the console is built for Hosting, then no emulator code, local operator or loopback address is in it', async () => {
    const bundle = await build('production');
    const forbidden = [
      LOCAL_OPERATOR.email,
      LOCAL_OPERATOR.password,
      'connectAuthEmulator',
      'connectFunctionsEmulator',
      '127.0.0.1',
      `:${localEnv().auth.port}`,
      'demo-api-key',
    ];
    for (const text of forbidden) {
      assert.ok(!bundle.includes(text), `the production bundle contains ${text}`);
    }
    assert.ok(bundle.includes('/__/firebase/init.json'), 'it reads its config from Hosting');
  });

  it('when the console is built for the emulators, then the same search finds them (the check above can fail)', async () => {
    const bundle = await build('emulators');
    assert.ok(bundle.includes(LOCAL_OPERATOR.email));
    assert.ok(bundle.includes('127.0.0.1'));
  });
});
