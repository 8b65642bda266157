/**
 * Builds the operator console (console/) with Vite into console/dist, which Firebase Hosting
 * serves (firebase.json `hosting`). Two builds of the same sources:
 *
 * - `emulators`: the page `npm start` and the browser tests serve. It talks to the local
 *   project's emulators (addresses from firebase.json through tools/local-env, written in at
 *   build time) and signs in as the local operator.
 * - `production`: the deployed page. Its Firebase config comes from Hosting's
 *   /__/firebase/init.json at run time, and the emulator code is not in the bundle: the branch on
 *   import.meta.env.MODE is a constant there and dropped (test/browser/bundle.test.ts checks).
 *
 * The config is given inline rather than in a vite.config.ts: the local addresses come from this
 * repository's TypeScript helpers, which Node runs here through tsx.
 *
 * Usage: tsx tools/console/build.ts [--emulators] [--out-dir <dir>] [--quiet]
 */
import { join } from 'node:path';
import { DEFAULTS } from '../../functions/src/config/defaults';
import { loadFunctionsEnv } from '../local-env/dotenv';
import { FUNCTIONS_DIR, REPO_ROOT, localEnv } from '../local-env/local-env';

export const CONSOLE_DIR = join(REPO_ROOT, 'console');
export const CONSOLE_DIST = join(CONSOLE_DIR, 'dist');

export type ConsoleMode = 'emulators' | 'production';

/**
 * The region of the callables in a deployed project: PUSH_REGION of the environment, or of the
 * project being deployed (firebase deploy gives predeploy hooks GCLOUD_PROJECT), else the default.
 */
export function deployedRegion(env: NodeJS.ProcessEnv = process.env): string {
  const project = env.GCLOUD_PROJECT;
  const fromFile = project
    ? loadFunctionsEnv(FUNCTIONS_DIR, project, { emulator: false }).PUSH_REGION
    : undefined;
  return env.PUSH_REGION || fromFile || DEFAULTS.PUSH_REGION;
}

/** What the bundle gets as constants (console/src/env.d.ts declares them). */
export function consoleDefines(mode: ConsoleMode): Record<string, string> {
  const local = mode === 'emulators' ? localEnv() : undefined;
  return {
    __PUSH_REGION__: JSON.stringify(local ? local.region : deployedRegion()),
    // Only the emulators build gets the local addresses; the deployed one gets null.
    __LOCAL_STACK__: JSON.stringify(
      local
        ? {
            projectId: local.projectId,
            auth: local.auth.url,
            firestore: { host: local.firestore.host, port: local.firestore.port },
            functions: { host: local.functions.host, port: local.functions.port },
          }
        : null,
    ),
  };
}

export async function buildConsole(
  mode: ConsoleMode,
  options: { outDir?: string; quiet?: boolean } = {},
): Promise<string> {
  const outDir = options.outDir ?? CONSOLE_DIST;
  // Vite is ESM only and its types need a newer moduleResolution than this CommonJS tree uses:
  // load it by a computed name, with the one function used typed here.
  const vite = 'vite';
  const { build } = (await import(vite)) as { build: (config: object) => Promise<unknown> };
  await build({
    configFile: false,
    root: CONSOLE_DIR,
    mode,
    logLevel: options.quiet ? 'warn' : 'info',
    define: consoleDefines(mode),
    // Firestore's SDK is most of the ~560 kB (~170 kB gzipped); one chunk loads fastest here.
    build: { outDir, emptyOutDir: true, chunkSizeWarningLimit: 700 },
  });
  return outDir;
}

if (require.main === module) {
  const args = process.argv.slice(2);
  const at = args.indexOf('--out-dir');
  buildConsole(args.includes('--emulators') ? 'emulators' : 'production', {
    ...(at >= 0 && args[at + 1] ? { outDir: args[at + 1] } : {}),
    quiet: args.includes('--quiet'),
  }).catch((err: unknown) => {
    console.error(err instanceof Error ? err.message : err);
    process.exit(1);
  });
}
