/**
 * functions/ is its own npm project: Cloud Build installs it from functions/package.json and
 * functions/package-lock.json (`.ci/run` proves it installs and builds alone). Locally everything
 * is installed once, at the root: the root package.json pins functions' packages at exactly the
 * versions functions/package-lock.json locks, so tests, tools and functions/lib all resolve one
 * copy of each (two copies of firebase-admin would make `instanceof Timestamp` false between test
 * code and function code). These tests fail when the two lockfiles drift apart.
 */
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';

const ROOT = resolve(__dirname, '..', '..', '..');
const FUNCTIONS = join(ROOT, 'functions');

interface Manifest {
  name?: string;
  version?: string;
  workspaces?: string[];
  engines?: Record<string, string>;
  dependencies?: Record<string, string>;
  devDependencies?: Record<string, string>;
}
interface Lockfile {
  name?: string;
  version?: string;
  lockfileVersion: number;
  packages: Record<string, Manifest & { link?: boolean }>;
}

const readJson = <T>(path: string): T => JSON.parse(readFileSync(path, 'utf8')) as T;
const rootPackage = readJson<Manifest>(join(ROOT, 'package.json'));
const rootLock = readJson<Lockfile>(join(ROOT, 'package-lock.json'));
const functionsPackage = readJson<Manifest>(join(FUNCTIONS, 'package.json'));
const functionsLock = readJson<Lockfile>(join(FUNCTIONS, 'package-lock.json'));

/** Every package functions/package.json names, runtime and build (typescript, @types/node). */
const functionsDeps = Object.keys({
  ...functionsPackage.dependencies,
  ...functionsPackage.devDependencies,
}).sort();

const lockedVersion = (lock: Lockfile, name: string): string | undefined =>
  lock.packages[`node_modules/${name}`]?.version;

/** The directory of the copy of `name` that Node's resolution finds from `dir`. */
function packageDir(name: string, dir: string): string {
  const entry = require.resolve(name, { paths: [dir] });
  const marker = join('node_modules', name);
  const at = entry.lastIndexOf(marker);
  assert.ok(at >= 0, `${name} resolved outside node_modules: ${entry}`);
  return entry.slice(0, at + marker.length);
}

const FIX =
  'run `npm install --package-lock-only` in functions/, then set the root package.json to the ' +
  'versions functions/package-lock.json locks and run `npm install` at the root';

describe('functions/ installs alone, and locally shares the root install', () => {
  it('when functions/package.json changes, then functions/package-lock.json is regenerated with it', () => {
    assert.equal(functionsLock.lockfileVersion, 3);
    const top = functionsLock.packages[''];
    assert.ok(top, 'functions/package-lock.json has no root entry');
    assert.equal(functionsLock.name, functionsPackage.name);
    assert.equal(functionsLock.version, functionsPackage.version);
    assert.deepEqual(
      {
        name: top.name,
        version: top.version,
        dependencies: top.dependencies ?? {},
        devDependencies: top.devDependencies ?? {},
        engines: top.engines ?? {},
      },
      {
        name: functionsPackage.name,
        version: functionsPackage.version,
        dependencies: functionsPackage.dependencies ?? {},
        devDependencies: functionsPackage.devDependencies ?? {},
        engines: functionsPackage.engines ?? {},
      },
      'functions/package-lock.json does not match functions/package.json: run `npm install --package-lock-only` in functions/',
    );
  });

  it('when functions locks a version, then the root locks the same one, so a root install matches production', () => {
    assert.ok(functionsDeps.length > 0);
    for (const name of functionsDeps) {
      const fn = lockedVersion(functionsLock, name);
      assert.ok(fn, `functions/package-lock.json does not lock ${name}`);
      assert.equal(
        lockedVersion(rootLock, name),
        fn,
        `${name}: functions/package-lock.json locks ${fn}, the root package-lock.json ${lockedVersion(rootLock, name)}; ${FIX}`,
      );
    }
  });

  it('when the root lists functions’ packages, then it pins each at exactly the version functions locks', () => {
    const rootDeps = { ...rootPackage.dependencies, ...rootPackage.devDependencies };
    for (const name of functionsDeps) {
      assert.equal(
        rootDeps[name],
        lockedVersion(functionsLock, name),
        `the root package.json lists ${name} as ${rootDeps[name] ?? '(missing)'}; ${FIX}`,
      );
    }
  });

  it('when the root installs, then functions/ is not a workspace and gets no packages of its own', () => {
    assert.ok(
      !(rootPackage.workspaces ?? []).some((w) => w.replace(/\/$/, '') === 'functions'),
      'functions/ must not be an npm workspace: Cloud Build installs it from its own lockfile',
    );
    const inside = Object.keys(rootLock.packages).filter(
      (key) =>
        key === 'functions' || key.startsWith('functions/') || key === 'node_modules/functions',
    );
    assert.deepEqual(inside, [], 'the root package-lock.json installs into functions/');
  });

  it('when functions/ loads its dependencies, then it gets the same copy as tests and tools', () => {
    for (const name of Object.keys(functionsPackage.dependencies ?? {})) {
      const fromFunctions = packageDir(name, FUNCTIONS);
      const fromRoot = packageDir(name, ROOT);
      assert.equal(
        fromFunctions,
        fromRoot,
        `${name} resolves to a second copy from functions/ (${fromFunctions}): delete functions/node_modules; install only at the root (npm ci)`,
      );
      assert.equal(
        readJson<Manifest>(join(fromRoot, 'package.json')).version,
        lockedVersion(functionsLock, name),
        `${name}: node_modules is older than package-lock.json: run npm ci at the root`,
      );
    }
  });
});
