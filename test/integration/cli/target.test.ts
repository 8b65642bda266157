/**
 * Which Firestore and FCM a run talks to: the local stack by default, a real project only with
 * --project, and the combinations that would silently reach the wrong one refused. (Resolution
 * only: nothing here opens a connection.)
 */
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { parseCommandArgs, splitCommand } from '../../../tools/cli/src/args';
import { resolveTarget } from '../../../tools/cli/src/context';
import { UsageError } from '../../../tools/cli/src/errors';
import { LOCAL_PROJECT_ID, localEnv } from '../../../tools/local-env/local-env';

function targetOf(argv: string[], env: NodeJS.ProcessEnv = {}) {
  const { command, rest } = splitCommand(argv);
  assert.equal(command, 'stats');
  return resolveTarget(parseCommandArgs(rest, {}, false), env);
}

describe('fcm-push target resolution', () => {
  it('when no --project is given, then the local stack (tools/local-env) is used', () => {
    const local = localEnv();
    assert.deepEqual(targetOf(['stats']), {
      mode: 'local',
      projectId: LOCAL_PROJECT_ID,
      firestoreHost: local.firestore.address,
      fcmEndpoint: local.fcm.url,
      metadataHost: local.metadata.address,
    });
    const custom = targetOf(
      ['stats', '--fcm-endpoint', 'http://127.0.0.1:7000/', '--metadata-host', '127.0.0.1:7001'],
      {
        FIRESTORE_EMULATOR_HOST: '127.0.0.1:7002',
      },
    );
    assert.deepEqual(custom, {
      mode: 'local',
      projectId: LOCAL_PROJECT_ID,
      firestoreHost: '127.0.0.1:7002',
      fcmEndpoint: 'http://127.0.0.1:7000',
      metadataHost: '127.0.0.1:7001',
    });
  });

  it('when --project names a real project, then real Firestore and fcm.googleapis.com are used, wherever the flag stands', () => {
    const expected = {
      mode: 'project',
      projectId: 'my-app-prod',
      fcmEndpoint: 'https://fcm.googleapis.com',
    };
    assert.deepEqual(targetOf(['stats', '--project', 'my-app-prod']), expected);
    assert.deepEqual(targetOf(['--project', 'my-app-prod', 'stats']), expected);
    assert.deepEqual(targetOf(['--project=my-app-prod', 'stats']), expected);
  });

  it('when --project is combined with something only the local stack has, then it is a usage error', () => {
    const refused = (argv: string[], env: NodeJS.ProcessEnv, message: RegExp) =>
      assert.throws(
        () => targetOf(argv, env),
        (e: unknown) => e instanceof UsageError && message.test(e.message),
      );
    refused(
      ['stats', '--project', LOCAL_PROJECT_ID],
      {},
      /demo-\* projects exist only in the emulators/,
    );
    refused(
      ['stats', '--project', 'my-app-prod', '--fcm-endpoint', 'http://127.0.0.1:1'],
      {},
      /--fcm-endpoint is for the local stack only/,
    );
    refused(
      ['stats', '--project', 'my-app-prod', '--metadata-host', '127.0.0.1:1'],
      {},
      /--metadata-host is for the local stack only/,
    );
    refused(
      ['stats', '--project', 'my-app-prod'],
      { FIRESTORE_EMULATOR_HOST: '127.0.0.1:7002' },
      /FIRESTORE_EMULATOR_HOST is set \(127\.0\.0\.1:7002\)/,
    );
    refused(['stats', '--project', 'Not_A_Project'], {}, /is not a Google Cloud project id/);
    refused(['stats', '--fcm-endpoint', 'localhost:7000'], {}, /must be an http\(s\) URL/);
  });
});
