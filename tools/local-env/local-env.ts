/**
 * The local project, in one place: its id, its region, and every fixed address of `npm start`,
 * the e2e and stack tests, the demo, the CLI's local mode and the benchmarks.
 *
 * - the project id is defined here (a `demo-*` id: firebase-tools runs it offline; .firebaserc
 *   names it as the default project, and functions/.env.<id> holds its values);
 * - the region and the local FCM and metadata servers' addresses are what the functions in the
 *   emulator get from functions/.env* (PUSH_REGION, FCM_ENDPOINT, GCE_METADATA_HOST), read with the
 *   one dotenv reader; the region falls back to functions/src/config/defaults.ts;
 * - the emulators' hosts and ports are firebase.json's `emulators` block; the hub and the
 *   Firestore websocket, which it leaves out, take firebase-tools' defaults.
 */
import { readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { DEFAULTS } from '../../functions/src/config/defaults';
import { loadFunctionsEnv } from './dotenv';

export const REPO_ROOT = resolve(__dirname, '..', '..');
export const FUNCTIONS_DIR = join(REPO_ROOT, 'functions');
export const FIREBASE_JSON = join(REPO_ROOT, 'firebase.json');

export const LOCAL_PROJECT_ID = 'demo-push';

/** The emulators the local project runs (`--only`), each declared in firebase.json. */
/**
 * What the local stack and the e2e tier run. `tasks` is firebase-tools' Cloud Tasks emulator: the
 * dispatcher enqueues shard tasks there (firebase-admin reads CLOUD_TASKS_EMULATOR_HOST, which
 * the Functions emulator sets) and it dispatches them to the drainShard worker.
 */
export const LOCAL_EMULATORS = ['functions', 'auth', 'firestore', 'tasks'] as const;

/**
 * `npm start` and the browser tests also run the Hosting emulator, serving the operator console
 * (console/dist, built for the emulators by tools/console/build.ts) as Firebase Hosting would.
 */
export const CONSOLE_EMULATORS = [...LOCAL_EMULATORS, 'hosting'] as const;
export type EmulatorName = (typeof CONSOLE_EMULATORS)[number];

/**
 * firebase-tools' own choices for what firebase.json does not say: the hub's port
 * (lib/emulator/constants.js DEFAULT_PORTS) and the Firestore websocket's (lib/emulator/controller.js).
 */
export const FIREBASE_TOOLS_DEFAULT_PORTS = { hub: 4400, firestoreWebsocket: 9150 } as const;
const LOOPBACK = '127.0.0.1';

export interface Endpoint {
  host: string;
  port: number;
  /** `host:port`, as FIRESTORE_EMULATOR_HOST and GCE_METADATA_HOST take it. */
  address: string;
  /** `http://host:port` */
  url: string;
}

export interface LocalEnv {
  projectId: string;
  /** Where the functions run in the emulator: PUSH_REGION. */
  region: string;
  functions: Endpoint;
  auth: Endpoint;
  firestore: Endpoint;
  /** The Cloud Tasks emulator. */
  tasks: Endpoint;
  /** The Hosting emulator, serving the operator console. */
  hosting: Endpoint;
  firestoreWebsocket: Endpoint;
  hub: Endpoint;
  /** The local FCM v1 server (FCM_ENDPOINT of the local project). */
  fcm: Endpoint;
  /** The local metadata server (GCE_METADATA_HOST of the local project). */
  metadata: Endpoint;
  /** Every fixed port, by the name a "port in use" message gives it. */
  ports: Record<string, number>;
}

function endpoint(host: string, port: number): Endpoint {
  return { host, port, address: `${host}:${port}`, url: `http://${host}:${port}` };
}

/** Values of functions/.env* for `projectId`, as firebase-tools gives them to the functions. */
export function projectEnv(
  projectId: string,
  options: { emulator: boolean },
): Record<string, string> {
  return loadFunctionsEnv(FUNCTIONS_DIR, projectId, options);
}

type EmulatorBlock = Record<string, { host?: unknown; port?: unknown; websocketPort?: unknown }>;

function emulatorsBlock(): EmulatorBlock {
  const json = JSON.parse(readFileSync(FIREBASE_JSON, 'utf8')) as { emulators?: EmulatorBlock };
  return json.emulators ?? {};
}

function declared(block: EmulatorBlock, name: string, defaultPort?: number): Endpoint {
  const entry = block[name] ?? {};
  const port = entry.port ?? defaultPort;
  if (typeof port !== 'number') {
    throw new Error(
      `firebase.json: emulators.${name}.port is missing; the local stack needs it fixed.`,
    );
  }
  return endpoint(typeof entry.host === 'string' ? entry.host : LOOPBACK, port);
}

/** A local server address from the local project's env file, e.g. FCM_ENDPOINT=http://h:p. */
function localServer(env: Record<string, string>, name: string, asUrl: (v: string) => string) {
  const where = `functions/.env.${LOCAL_PROJECT_ID} (or .env.local)`;
  const value = env[name];
  if (!value) throw new Error(`${where} must set ${name} to a server on this machine.`);
  let url: URL;
  try {
    url = new URL(asUrl(value));
  } catch {
    throw new Error(`${where}: ${name}=${value} is not a host:port address.`);
  }
  if (url.protocol !== 'http:' || !url.port || url.pathname !== '/') {
    throw new Error(`${where}: ${name}=${value} must be ${asUrl('<host>:<port>')}.`);
  }
  return endpoint(url.hostname, Number(url.port));
}

function readLocalEnv(): LocalEnv {
  const env = projectEnv(LOCAL_PROJECT_ID, { emulator: true });
  const block = emulatorsBlock();
  const [functions, auth, firestore, tasks] = LOCAL_EMULATORS.map((name) => declared(block, name));
  const hosting = declared(block, 'hosting');
  const hub = declared(block, 'hub', FIREBASE_TOOLS_DEFAULT_PORTS.hub);
  const websocketPort = block.firestore?.websocketPort;
  const firestoreWebsocket = endpoint(
    firestore!.host,
    typeof websocketPort === 'number'
      ? websocketPort
      : FIREBASE_TOOLS_DEFAULT_PORTS.firestoreWebsocket,
  );
  const fcm = localServer(env, 'FCM_ENDPOINT', (v) => v);
  const metadata = localServer(env, 'GCE_METADATA_HOST', (v) => `http://${v}`);
  return {
    projectId: LOCAL_PROJECT_ID,
    region: env.PUSH_REGION || DEFAULTS.PUSH_REGION,
    functions: functions!,
    auth: auth!,
    firestore: firestore!,
    tasks: tasks!,
    hosting,
    firestoreWebsocket,
    hub,
    fcm,
    metadata,
    ports: {
      'Firestore emulator': firestore!.port,
      'Functions emulator': functions!.port,
      'Auth emulator': auth!.port,
      'Cloud Tasks emulator': tasks!.port,
      'Hosting emulator': hosting.port,
      'Emulator hub': hub.port,
      // firebase-tools would silently move it, but a second stack beside ours is a mistake to flag.
      'Firestore websocket': firestoreWebsocket.port,
      'local FCM server': fcm.port,
      'local metadata server': metadata.port,
    },
  };
}

let cached: LocalEnv | undefined;

/** The local project's constants (read once from firebase.json and functions/.env*). */
export function localEnv(): LocalEnv {
  return (cached ??= readLocalEnv());
}

/**
 * The Functions emulator's HTTP endpoint of scheduled function `name`: the emulator serves it but
 * never fires it, so the local stand-in for Cloud Scheduler (and the e2e tests) POST to it.
 */
export function scheduledFunctionUrl(name: string): string {
  const { functions, projectId, region } = localEnv();
  return `${functions.url}/${projectId}/${region}/${name}-0`;
}

/**
 * An environment for processes working on the local project: Google client libraries and
 * firebase-tools must never probe the cloud metadata address (the functions in the emulator get
 * GCE_METADATA_HOST and METADATA_SERVER_DETECTION from functions/.env.<local project> instead).
 */
export function offlineEnv(base: NodeJS.ProcessEnv = process.env): NodeJS.ProcessEnv {
  return { ...base, METADATA_SERVER_DETECTION: 'none', GCLOUD_PROJECT: LOCAL_PROJECT_ID };
}
