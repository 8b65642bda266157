/**
 * Finds Google's Cloud Firestore emulator jar on this machine.
 *
 * Order: an explicit override (FIRESTORE_EMULATOR_JAR, or firebase-tools' own
 * FIRESTORE_EMULATOR_BINARY_PATH when it names a jar), then firebase-tools' download cache, then
 * the Google Cloud CLI's component. The project cannot download it itself (these machines reach
 * only the npm registry and Debian's archive), so when nothing is found the error says how to get one.
 */
import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync, readdirSync } from 'node:fs';
import { homedir } from 'node:os';
import { join } from 'node:path';

export interface FoundEmulator {
  jar: string;
  /** Where it was found, for the "which path was taken" line. */
  origin: 'override' | 'firebase-tools-cache' | 'gcloud';
}

export const HOW_TO_GET_THE_EMULATOR = [
  "Google's Firestore emulator was not found. Get it one of these ways:",
  '  - Debian/Ubuntu with the Google Cloud apt repository: apt-get install google-cloud-cli-firestore-emulator',
  '  - Google Cloud CLI installed another way: gcloud components install cloud-firestore-emulator',
  '  - Java 21+ and internet: npx firebase setup:emulators:firestore (fills the firebase-tools cache)',
  '  - or point FIRESTORE_EMULATOR_JAR at a cloud-firestore-emulator*.jar you already have.',
].join('\n');

function gcloudSdkRoots(): string[] {
  const roots = [
    '/usr/lib/google-cloud-sdk',
    '/usr/share/google-cloud-sdk',
    join(homedir(), 'google-cloud-sdk'),
  ];
  try {
    const out = execFileSync('gcloud', ['info', '--format=value(installation.sdk_root)'], {
      encoding: 'utf8',
      stdio: ['ignore', 'pipe', 'ignore'],
      timeout: 15000,
    }).trim();
    if (out) roots.unshift(out);
  } catch {
    // No gcloud on PATH: the well-known install folders above are still checked.
  }
  return roots;
}

function newestCachedJar(dir: string): string | undefined {
  if (!existsSync(dir)) return undefined;
  const jars = readdirSync(dir)
    .filter((f) => /^cloud-firestore-emulator-v[\d.]+\.jar$/.test(f))
    .sort((a, b) => a.localeCompare(b, undefined, { numeric: true }));
  return jars.length ? join(dir, jars[jars.length - 1]) : undefined;
}

export function findFirestoreEmulator(env: NodeJS.ProcessEnv = process.env): FoundEmulator {
  const override = env.FIRESTORE_EMULATOR_JAR ?? env.FIRESTORE_EMULATOR_BINARY_PATH;
  if (override && override.endsWith('.jar')) {
    if (!existsSync(override))
      throw new Error(`FIRESTORE_EMULATOR_JAR points to ${override}, which does not exist.`);
    return { jar: override, origin: 'override' };
  }
  const cacheDir =
    env.FIREBASE_EMULATORS_PATH ?? join(homedir(), '.cache', 'firebase', 'emulators');
  const cached = newestCachedJar(cacheDir);
  if (cached) return { jar: cached, origin: 'firebase-tools-cache' };
  for (const root of gcloudSdkRoots()) {
    const jar = join(root, 'platform', 'cloud-firestore-emulator', 'cloud-firestore-emulator.jar');
    if (existsSync(jar)) return { jar, origin: 'gcloud' };
  }
  throw new Error(HOW_TO_GET_THE_EMULATOR);
}

/** The major version of `java` on PATH, or undefined when there is none. */
export function javaMajorVersion(env: NodeJS.ProcessEnv = process.env): number | undefined {
  // `java -version` prints to stderr.
  const run = spawnSync('java', ['-version'], { encoding: 'utf8', env });
  if (run.error) return undefined;
  const m = /version "(\d+)(?:\.(\d+))?/.exec(`${run.stdout}${run.stderr}`);
  if (!m) return undefined;
  const major = Number(m[1]);
  return major === 1 && m[2] ? Number(m[2]) : major;
}
