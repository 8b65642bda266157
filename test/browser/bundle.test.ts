/**
 * The deployed console holds nothing of the local build: no emulator connection, no automatic
 * sign-in, no local operator account, no loopback address. Builds production into a temporary
 * folder (console/dist, which the Hosting emulator may be serving, is left alone) and reads
 * every file of the bundle; then opens it in Chromium as Hosting would serve it, to see that it
 * boots from /__/firebase/init.json into the sign-in form.
 */
import { after, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, readFileSync, readdirSync, rmSync, statSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { buildConsole } from '../../tools/console/build';
import { localEnv } from '../../tools/local-env/local-env';
import { LOCAL_OPERATOR } from '../../tools/local-stack/local-operator-account';
import { launchChromium, screenshot } from '../support/browser';

/** A static server like Hosting's for `dir`: its files, init.json, and index.html for the rest. */
async function serveLikeHosting(dir: string): Promise<{ url: string; server: Server }> {
  const server = createServer((req, res) => {
    const path = (req.url ?? '/').split('?')[0]!;
    if (path === '/__/firebase/init.json') {
      res.setHeader('content-type', 'application/json');
      res.end(
        JSON.stringify({ projectId: 'my-project', apiKey: 'public-web-key', appId: '1:1:web:1' }),
      );
      return;
    }
    const file = join(dir, path);
    const found =
      path !== '/' && file.startsWith(dir) && existsSync(file) && statSync(file).isFile();
    const type = file.endsWith('.js')
      ? 'text/javascript'
      : file.endsWith('.css')
        ? 'text/css'
        : 'text/html';
    res.setHeader('content-type', found ? type : 'text/html');
    res.end(readFileSync(found ? file : join(dir, 'index.html')));
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  return { url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`, server };
}

function filesUnder(dir: string): string[] {
  return readdirSync(dir).flatMap((n) => {
    const p = join(dir, n);
    return statSync(p).isDirectory() ? filesUnder(p) : [p];
  });
}

describe('the production console bundle', () => {
  const dirs: string[] = [];
  after(() => dirs.forEach((d) => rmSync(d, { recursive: true, force: true })));

  let productionDir = '';
  const build = async (mode: 'production' | 'emulators') => {
    const dir = mkdtempSync(join(tmpdir(), `console-${mode}-`));
    dirs.push(dir);
    await buildConsole(mode, { outDir: dir, quiet: true });
    if (mode === 'production') productionDir = dir;
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

  it('when Hosting serves the production build, then it reads init.json and asks to sign in, reaching nothing else', async () => {
    assert.ok(productionDir, 'built by the first test');
    const { url, server } = await serveLikeHosting(productionDir);
    const chrome = await launchChromium();
    try {
      const { page, errors } = await chrome.newPage();
      const requests: string[] = [];
      page.on('request', (r) => requests.push(r.url()));
      await page.goto(`${url}/#/pushes`);
      await page.locator('input[name="email"]').waitFor({ timeout: 60_000 });
      assert.match(await page.locator('main').innerText(), /Sign in/);
      assert.match(await page.locator('header').innerText(), /my-project/);
      await screenshot(page, 'console-production-sign-in');
      assert.deepEqual(
        requests.filter((r) => !r.startsWith(url)),
        [],
        'nothing but the page and init.json before anyone signs in',
      );
      assert.ok(requests.includes(`${url}/__/firebase/init.json`));
      assert.deepEqual(errors, []);
    } finally {
      await chrome.close();
      await new Promise((r) => server.close(r));
    }
  });
});
