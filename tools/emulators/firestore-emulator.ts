/**
 * Starts Google's Firestore emulator jar directly (no firebase-tools), for integration tests and
 * benchmarks that need Firestore but not the Functions emulator. Runs on Java 17 too.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { createServer } from 'node:net';
import { LOCAL_PROJECT_ID } from '../local-env/local-env';
import { findFirestoreEmulator, javaMajorVersion } from './find-firestore-emulator';

export interface RunningFirestore {
  host: string; // "127.0.0.1:port", the FIRESTORE_EMULATOR_HOST value
  port: number;
  jar: string;
  /** Deletes every document of the project (the emulator's reset endpoint). */
  reset(projectId: string): Promise<void>;
  stop(): Promise<void>;
}

/** Deletes every document of `projectId` in the Firestore emulator at `host` (its reset endpoint). */
export async function clearFirestoreEmulator(
  host: string,
  projectId: string = LOCAL_PROJECT_ID,
): Promise<void> {
  const res = await fetch(
    `http://${host}/emulator/v1/projects/${projectId}/databases/(default)/documents`,
    { method: 'DELETE' },
  );
  if (!res.ok) throw new Error(`Firestore emulator reset failed: HTTP ${res.status}`);
}

export async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = createServer();
    srv.unref();
    srv.on('error', reject);
    srv.listen(0, '127.0.0.1', () => {
      const addr = srv.address();
      const port = typeof addr === 'object' && addr ? addr.port : 0;
      srv.close(() => resolve(port));
    });
  });
}

async function waitUntilReady(
  url: string,
  child: ChildProcess,
  log: () => string,
  timeoutMs: number,
) {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (child.exitCode !== null) {
      throw new Error(`Firestore emulator exited with code ${child.exitCode}:\n${log()}`);
    }
    try {
      const res = await fetch(url);
      if (res.ok) return;
    } catch {
      // Not listening yet.
    }
    await new Promise((r) => setTimeout(r, 150));
  }
  throw new Error(`Firestore emulator did not become ready within ${timeoutMs} ms:\n${log()}`);
}

export async function startFirestoreEmulator(
  options: { port?: number; quiet?: boolean; timeoutMs?: number } = {},
): Promise<RunningFirestore> {
  const { jar } = findFirestoreEmulator();
  if (javaMajorVersion() === undefined) {
    throw new Error(
      'Java is required to run the Firestore emulator: apt-get install openjdk-17-jre-headless (or newer).',
    );
  }
  const port = options.port ?? (await freePort());
  const host = `127.0.0.1:${port}`;
  const child = spawn(
    'java',
    [
      '-Duser.language=en',
      '-cp',
      jar,
      'com.google.cloud.datastore.emulator.firestore.CloudFirestore',
      'start',
      '--host=127.0.0.1',
      `--port=${port}`,
    ],
    // Own process group, so stop() can end java and anything it spawned.
    { stdio: ['ignore', 'pipe', 'pipe'], detached: true },
  );
  let output = '';
  const keep = (d: Buffer) => {
    output = (output + d.toString()).slice(-8000);
  };
  child.stdout?.on('data', keep);
  child.stderr?.on('data', keep);
  const killGroup = () => {
    try {
      if (child.pid) process.kill(-child.pid, 'SIGKILL');
    } catch {
      // Already gone.
    }
  };
  // Never leave a stray JVM behind: not when the parent dies on an exception ('exit'), nor when
  // it is interrupted or terminated (signals skip 'exit' handlers unless someone exits).
  const onSignal = (signal: NodeJS.Signals) => {
    killGroup();
    process.exit(128 + (signal === 'SIGINT' ? 2 : signal === 'SIGTERM' ? 15 : 1));
  };
  const SIGNALS: NodeJS.Signals[] = ['SIGINT', 'SIGTERM', 'SIGHUP'];
  process.once('exit', killGroup);
  for (const signal of SIGNALS) process.once(signal, onSignal);
  try {
    await waitUntilReady(`http://${host}/`, child, () => output, options.timeoutMs ?? 60000);
  } catch (err) {
    killGroup();
    throw err;
  }
  return {
    host,
    port,
    jar,
    reset: (projectId: string) => clearFirestoreEmulator(host, projectId),
    async stop() {
      process.removeListener('exit', killGroup);
      for (const signal of SIGNALS) process.removeListener(signal, onSignal);
      if (child.exitCode !== null) return;
      const exited = new Promise<void>((r) => child.once('exit', () => r()));
      try {
        if (child.pid) process.kill(-child.pid, 'SIGTERM');
      } catch {
        return;
      }
      const timer = setTimeout(killGroup, 5000);
      await exited;
      clearTimeout(timer);
    },
  };
}
