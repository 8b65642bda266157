/**
 * What a command runs against, built once per invocation:
 *
 * - local (default): the local project of tools/local-env, the Firestore emulator at
 *   FIRESTORE_EMULATOR_HOST (or firebase.json's), the local FCM v1 server and metadata server of
 *   its env file (`--fcm-endpoint` and `--metadata-host` override them, e.g. in tests);
 * - `--project <id>`: the real project with Application Default Credentials, real Firestore and
 *   https://fcm.googleapis.com. Combinations that would silently hit something else are refused.
 *
 * Firestore and the FCM sender are built on first use, so `send --token` needs no emulator and
 * `list` opens no FCM connection.
 */
import { userInfo } from 'node:os';
import { applicationDefault, deleteApp, initializeApp, type App } from 'firebase-admin/app';
import { getAuth, type Auth } from 'firebase-admin/auth';
import { getFirestore, type Firestore } from 'firebase-admin/firestore';
import {
  createOperatorActions,
  type OperatorActions,
} from '../../../functions/src/adapters/operator-actions';
import { createPushStore, type PushStore } from '../../../functions/src/adapters/push-store';
import { createStores, type Stores } from '../../../functions/src/adapters/stores';
import { createTokenStore, type TokenStore } from '../../../functions/src/adapters/token-store';
import { PARAM_SPECS } from '../../../functions/src/config/defaults';
import { STALE_TOKEN_DAYS } from '../../../functions/src/config/params';
import {
  DEFAULT_FCM_ENDPOINT,
  createAccessTokenProvider,
  createFcmSender,
  createGoogleAccessTokenProvider,
  type FcmSender,
} from '../../../functions/src/fcm';
import { LOCAL_PROJECT_ID, localEnv, projectEnv } from '../../local-env/local-env';
import { stringOption, type ParsedArgs } from './args';
import { OperationalError, UsageError } from './errors';
import { localMetadataTokenSource } from './local-token';

/** 6–30 characters, as Google Cloud allows; legacy domain-scoped ids (`example.com:id`) too. */
const PROJECT_ID = /^(?:[a-z0-9.-]+:)?[a-z][a-z0-9-]{4,28}[a-z0-9]$/;

export type Target =
  | {
      mode: 'local';
      projectId: string;
      firestoreHost: string;
      fcmEndpoint: string;
      metadataHost: string;
    }
  | { mode: 'project'; projectId: string; fcmEndpoint: string };

export function resolveTarget(args: ParsedArgs, env: NodeJS.ProcessEnv): Target {
  const project = stringOption(args, 'project');
  const fcmEndpoint = stringOption(args, 'fcm-endpoint');
  const metadataHost = stringOption(args, 'metadata-host');
  if (project === undefined) {
    const local = localEnv();
    const endpoint = fcmEndpoint ?? local.fcm.url;
    if (!/^https?:\/\/[^/]+/.test(endpoint)) {
      throw new UsageError(`--fcm-endpoint must be an http(s) URL, got "${endpoint}".`);
    }
    return {
      mode: 'local',
      projectId: local.projectId,
      firestoreHost: env.FIRESTORE_EMULATOR_HOST || local.firestore.address,
      fcmEndpoint: endpoint.replace(/\/+$/, ''),
      metadataHost: metadataHost ?? local.metadata.address,
    };
  }
  if (project.startsWith('demo-')) {
    throw new UsageError(
      `--project ${project}: demo-* projects exist only in the emulators. ` +
        `Leave out --project to use the local stack (project ${LOCAL_PROJECT_ID}).`,
    );
  }
  if (!PROJECT_ID.test(project)) {
    throw new UsageError(`--project "${project}" is not a Google Cloud project id.`);
  }
  for (const [name, value] of [
    ['--fcm-endpoint', fcmEndpoint],
    ['--metadata-host', metadataHost],
  ] as const) {
    if (value !== undefined) {
      throw new UsageError(
        `${name} is for the local stack only; with --project the CLI uses ${DEFAULT_FCM_ENDPOINT} ` +
          'and Application Default Credentials.',
      );
    }
  }
  if (env.FIREBASE_AUTH_EMULATOR_HOST) {
    // firebase-admin would obey it: claims would be set in the emulator, not on the project.
    throw new UsageError(
      `FIREBASE_AUTH_EMULATOR_HOST is set (${env.FIREBASE_AUTH_EMULATOR_HOST}), so Auth calls ` +
        `would go to the emulator, not to project ${project}. Unset it to work on ${project}, ` +
        'or leave out --project to use the local stack.',
    );
  }
  if (env.FIRESTORE_EMULATOR_HOST) {
    // firebase-admin would obey the variable and talk to the emulator instead of the project.
    throw new UsageError(
      `FIRESTORE_EMULATOR_HOST is set (${env.FIRESTORE_EMULATOR_HOST}), so Firestore calls would ` +
        `go to the emulator, not to project ${project}. Unset it to work on ${project}, ` +
        'or leave out --project to use the local stack.',
    );
  }
  return { mode: 'project', projectId: project, fcmEndpoint: DEFAULT_FCM_ENDPOINT };
}

export interface CliContext {
  target: Target;
  /** Firestore of the target; in local mode fails fast when no emulator answers. */
  firestore(): Promise<Firestore>;
  /** Firebase Auth of the target (the Auth emulator in local mode), for custom claims. */
  auth(): Promise<Auth>;
  pushes(): Promise<PushStore>;
  tokens(): Promise<TokenStore>;
  /** Every product store on the target, with the deployed RETENTION_DAYS. */
  stores(): Promise<Stores>;
  /** The operator's reads and guarded writes on notifications and pushes. */
  actions(): Promise<OperatorActions>;
  /** Our FCM v1 client for the target. */
  sender(): FcmSender;
  /** STALE_TOKEN_DAYS as the deployed functions see it: env, functions/.env files, default. */
  staleTokenDays(): number;
  /** RETENTION_DAYS as the deployed functions see it, in ms: when finished documents are deleted. */
  retentionMs(): number;
  /** Who is acting, for `history` entries (`fcm-push:<os user>`). */
  operator: string;
  now(): number;
  close(): Promise<void>;
}

let appCounter = 0;

async function assertEmulatorUp(host: string): Promise<void> {
  try {
    await fetch(`http://${host}/`, { signal: AbortSignal.timeout(3_000) });
  } catch {
    throw new OperationalError(
      `No Firestore emulator answers at ${host}. Start the local stack (npm start), set ` +
        'FIRESTORE_EMULATOR_HOST, or use --project <id> for a real project.',
    );
  }
}

function operatorName(): string {
  try {
    return `fcm-push:${userInfo().username}`;
  } catch {
    return 'fcm-push';
  }
}

export function createContext(target: Target, env: NodeJS.ProcessEnv): CliContext {
  let app: App | undefined;
  let authApp: App | undefined;
  let db: Promise<Firestore> | undefined;
  let auth: Promise<Auth> | undefined;
  let sender: FcmSender | undefined;

  function firestore(): Promise<Firestore> {
    db ??= (async () => {
      if (target.mode === 'local') await assertEmulatorUp(target.firestoreHost);
      const name = `fcm-push-${process.pid}-${appCounter++}`;
      app =
        target.mode === 'local'
          ? initializeApp({ projectId: target.projectId }, name)
          : initializeApp({ projectId: target.projectId, credential: applicationDefault() }, name);
      const instance = getFirestore(app);
      if (target.mode === 'local') instance.settings({ host: target.firestoreHost, ssl: false });
      return instance;
    })();
    return db;
  }

  function authOf(): Promise<Auth> {
    auth ??= (async () => {
      const name = `fcm-push-auth-${process.pid}-${appCounter++}`;
      if (target.mode === 'local') {
        // The Auth emulator: FIREBASE_AUTH_EMULATOR_HOST, else the local project's port.
        const authHost = env.FIREBASE_AUTH_EMULATOR_HOST || localEnv().auth.address;
        try {
          await fetch(`http://${authHost}/`, { signal: AbortSignal.timeout(3_000) });
        } catch {
          throw new OperationalError(
            `No Auth emulator answers at ${authHost}. Start the local stack (npm start), ` +
              'set FIREBASE_AUTH_EMULATOR_HOST, or use --project <id> for a real project.',
          );
        }
        // firebase-admin's Auth talks to the emulator when this is set (and only then).
        process.env.FIREBASE_AUTH_EMULATOR_HOST = authHost;
        authApp = initializeApp({ projectId: target.projectId }, name);
      } else {
        authApp = initializeApp(
          { projectId: target.projectId, credential: applicationDefault() },
          name,
        );
      }
      return getAuth(authApp);
    })();
    return auth;
  }

  /** functions/.env* as the target's functions see them (the emulators' files in local mode). */
  const functionsEnv = () => projectEnv(target.projectId, { emulator: target.mode === 'local' });

  function retentionMs(): number {
    const spec = PARAM_SPECS.RETENTION_DAYS;
    const raw = env.RETENTION_DAYS ?? functionsEnv().RETENTION_DAYS;
    const days = raw !== undefined ? Number(raw) : spec.default;
    if (!Number.isInteger(days) || days < spec.min || days > spec.max) {
      throw new UsageError(
        `RETENTION_DAYS must be a whole number of days from ${spec.min} to ${spec.max}, got "${raw}".`,
      );
    }
    return days * 86_400_000;
  }

  return {
    target,
    firestore,
    auth: authOf,
    pushes: async () => createPushStore(await firestore(), { retentionMs: retentionMs() }),
    tokens: async () => createTokenStore(await firestore()),
    stores: async () => createStores(await firestore(), { retentionMs: retentionMs() }),
    actions: async () =>
      createOperatorActions(await firestore(), {
        operator: operatorName(),
        retentionMs: retentionMs(),
      }),
    sender() {
      sender ??= createFcmSender({
        projectId: target.projectId,
        endpoint: target.fcmEndpoint,
        tokenProvider:
          target.mode === 'local'
            ? createAccessTokenProvider({ source: localMetadataTokenSource(target.metadataHost) })
            : createGoogleAccessTokenProvider({ projectId: target.projectId }),
        concurrency: 20,
        timeoutMs: 10_000,
      });
      return sender;
    },
    staleTokenDays() {
      const raw = env.STALE_TOKEN_DAYS ?? functionsEnv().STALE_TOKEN_DAYS;
      const fallback = STALE_TOKEN_DAYS.options.default;
      const days = raw !== undefined ? Number(raw) : typeof fallback === 'number' ? fallback : 60;
      if (!Number.isInteger(days) || days < 1) {
        throw new UsageError(`STALE_TOKEN_DAYS must be a whole number of days, got "${raw}".`);
      }
      return days;
    },
    retentionMs,
    operator: operatorName(),
    now: Date.now,
    async close() {
      await sender?.close();
      if (app) await deleteApp(app);
      if (authApp) await deleteApp(authApp);
    },
  };
}
