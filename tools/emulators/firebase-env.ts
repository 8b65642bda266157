/**
 * The environment under which `firebase emulators:start|exec` can run the Firestore emulator on
 * this machine, and a sentence saying which way was taken.
 *
 * - Java 21+ with firebase-tools' own jar cached: the standard firebase-tools path, untouched.
 * - Otherwise, when Google's emulator jar is installed and a Java runs it (the Google Cloud CLI
 *   component runs on Java 17): the compatibility launcher in ./java-compat goes first on PATH and
 *   firebase-tools is told (FIRESTORE_EMULATOR_BINARY_PATH) to start a marker that the launcher
 *   maps to that jar. firebase-tools still manages the emulator, so Firestore triggers fire.
 * - Java 21+ and no jar anywhere: the standard path, which downloads the jar when online.
 */
import { existsSync, mkdirSync, writeFileSync } from 'node:fs';
import { execFileSync } from 'node:child_process';
import { join } from 'node:path';
import {
  FUNCTIONS_DIR,
  LOCAL_EMULATORS,
  LOCAL_PROJECT_ID,
  REPO_ROOT,
  type EmulatorName,
} from '../local-env/local-env';
import {
  findFirestoreEmulator,
  javaMajorVersion,
  type FoundEmulator,
} from './find-firestore-emulator';

export interface FirebaseEmulatorEnv {
  env: NodeJS.ProcessEnv;
  path: 'standard' | 'compat';
  description: string;
}

export function firebaseEmulatorEnv(base: NodeJS.ProcessEnv = process.env): FirebaseEmulatorEnv {
  const java = javaMajorVersion(base);
  if (java === undefined) {
    throw new Error(
      'Java is required for the Firestore emulator: install a JDK (21+ for the standard firebase-tools path, or 17+ with the Google Cloud CLI emulator component).',
    );
  }
  let found: FoundEmulator | undefined;
  try {
    found = findFirestoreEmulator(base);
  } catch (err) {
    if (java >= 21) {
      return {
        env: { ...base },
        path: 'standard',
        description: `Java ${java}: standard firebase-tools path (it downloads the Firestore emulator if needed).`,
      };
    }
    throw err;
  }
  if (java >= 21 && found.origin === 'firebase-tools-cache') {
    return {
      env: { ...base },
      path: 'standard',
      description: `Java ${java}: standard firebase-tools path with its cached Firestore emulator.`,
    };
  }
  const realJava = execFileSync('bash', ['-c', 'command -v java'], {
    encoding: 'utf8',
    env: base,
  }).trim();
  const tmp = join(REPO_ROOT, '.tmp');
  mkdirSync(tmp, { recursive: true });
  const marker = join(tmp, 'firestore-emulator-compat.jar');
  writeFileSync(marker, 'marker: tools/emulators/java-compat/java maps this to the real jar\n');
  return {
    env: {
      ...base,
      PATH: `${join(__dirname, 'java-compat')}:${base.PATH ?? ''}`,
      PUSH_REAL_JAVA: realJava,
      PUSH_FIRESTORE_JAR: found.jar,
      PUSH_FIRESTORE_MARKER: marker,
      FIRESTORE_EMULATOR_BINARY_PATH: marker,
    },
    path: 'compat',
    description: `Java ${java}: compatibility launcher running ${found.jar} (${found.origin}) under firebase-tools.`,
  };
}

/** Throws unless functions/lib is built (the Functions emulator serves it); `by`: who builds it. */
export function assertFunctionsBuilt(by: string): void {
  if (!existsSync(join(FUNCTIONS_DIR, 'lib', 'index.js'))) {
    throw new Error(`functions/lib is missing: run \`npm run build\` first (${by} does).`);
  }
}

/** A POSIX shell word for `s` (emulators:exec takes its script as one string). */
const shellQuote = (s: string) => `'${s.replace(/'/g, `'\\''`)}'`;

/** The firebase-tools installed in this repository (its CLI script, run with node). */
export function firebaseToolsBin(): string {
  const bin = join(REPO_ROOT, 'node_modules', 'firebase-tools', 'lib', 'bin', 'firebase.js');
  if (!existsSync(bin)) {
    throw new Error(`firebase-tools is not installed (${bin} is missing): run \`npm ci\` first.`);
  }
  return bin;
}

/**
 * The node arguments of `firebase emulators:start` for the local project's emulators
 * (`only`: LOCAL_EMULATORS, or CONSOLE_EMULATORS to serve the console too).
 */
export function emulatorsStartArgs(only: readonly EmulatorName[] = LOCAL_EMULATORS): string[] {
  return [firebaseToolsBin(), 'emulators:start', ...localProjectArgs(only)];
}

/**
 * The node arguments of `firebase emulators:exec` for the local project's emulators with `script`
 * (argv, quoted here) as the script.
 */
export function emulatorsExecArgs(
  script: readonly string[],
  only: readonly EmulatorName[] = LOCAL_EMULATORS,
): string[] {
  return [
    firebaseToolsBin(),
    'emulators:exec',
    ...localProjectArgs(only),
    script.map(shellQuote).join(' '),
  ];
}

function localProjectArgs(only: readonly EmulatorName[]): string[] {
  return ['--only', only.join(','), '--project', LOCAL_PROJECT_ID];
}
