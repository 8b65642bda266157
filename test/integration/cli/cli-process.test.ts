/**
 * `fcm-push` as an operator runs it: a child process through bin/fcm-push.js, against the
 * Firestore emulator and local FCM/metadata servers. Exit codes and stdout/stderr separation are
 * the contract scripts rely on.
 */
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { createServer, type AddressInfo } from 'node:net';
import { jsonOf, useCliWorld } from './cli-world';
import { LOCAL_PROJECT_ID } from '../../../tools/local-env/local-env';

describe('fcm-push as a child process', () => {
  const world = useCliWorld();

  it('when run with --help, then it exits 0 and lists every command', async () => {
    const run = await world.spawnCli(['--help']);
    assert.equal(run.code, 0, run.stderr);
    for (const name of [
      'send',
      'list',
      'show',
      'retry',
      'cancel',
      'stats',
      'outbox',
      'prune',
      'prefs',
    ]) {
      assert.match(run.stdout, new RegExp(`^  ${name} `, 'm'));
    }
  });

  it('when a command is given --help, then its usage is printed and nothing runs', async () => {
    // No emulator is needed for help: an unreachable one proves nothing was contacted.
    const run = await world.spawnCli(['send', '--help'], {
      ...process.env,
      FIRESTORE_EMULATOR_HOST: '127.0.0.1:1',
    });
    assert.equal(run.code, 0, run.stderr);
    assert.match(run.stdout, /^Usage: fcm-push send/);
    assert.match(run.stdout, /--dry-run/);
  });

  it('when an option is unknown, then it exits 2 with the option named on stderr', async () => {
    const run = await world.spawnCli(['list', '--colour', 'red']);
    assert.equal(run.code, 2);
    assert.equal(run.stdout, '');
    assert.match(run.stderr, /--colour/);
    assert.match(run.stderr, /fcm-push list --help/);
  });

  it('when list runs with --json, then stdout is one JSON document of the pushes, newest first', async () => {
    const now = Date.now();
    const older = await world.queue('tok-a', { reservedAt: now + 3_600_000 }, now - 2_000);
    const newer = await world.queue('tok-b', { reservedAt: now + 3_600_000 }, now - 1_000);
    const run = await world.spawnCli(['list', '--json', '--status', 'pending']);
    assert.equal(run.code, 0, run.stderr);
    const out = jsonOf<{ pushes: Array<{ id: string; status: string; target: string }> }>(run);
    assert.deepEqual(
      out.pushes.map((p) => [p.id, p.status]),
      [
        [newer, 'pending'],
        [older, 'pending'],
      ],
    );
    assert.ok(!run.stdout.includes('tok-a'), 'a raw token reached stdout');
    assert.match(out.pushes[1]!.target, /^token sha256:[0-9a-f]{12}$/);
  });

  it('when no notification or push has the id, then show exits 1 and --json says why', async () => {
    const run = await world.spawnCli(['show', 'no-such-push', '--json']);
    assert.equal(run.code, 1);
    assert.deepEqual(jsonOf(run), {
      ok: false,
      error: {
        kind: 'failed',
        message: `no-such-push not found in ${LOCAL_PROJECT_ID}: no notification or push has this id.`,
      },
    });
    assert.match(run.stderr, /no-such-push not found/);
  });

  it('when FCM answers UNREGISTERED to a test send, then it exits 1 and prints the code', async () => {
    world.fcm.unregistered.add('dead-device-token');
    const run = await world.spawnCli([
      'send',
      '--token',
      'dead-device-token',
      '--title',
      'Hi',
      ...world.localFlags(),
    ]);
    assert.equal(run.code, 1, run.stderr);
    assert.match(run.stdout, /^token sha256:[0-9a-f]{12} {2}failed {2}UNREGISTERED: /m);
    assert.ok(!run.stdout.includes('dead-device-token'));
    assert.equal(world.fcm.requestCount, 1);
  });

  it('when --project names a demo project, then it exits 2 before touching anything', async () => {
    const run = await world.spawnCli(['stats', '--project', LOCAL_PROJECT_ID]);
    assert.equal(run.code, 2);
    assert.match(run.stderr, /demo-\* projects exist only in the emulators/);
  });

  it('when no Firestore emulator answers in local mode, then it exits 1 and says how to start one', async () => {
    const closedPort = await new Promise<number>((resolvePort) => {
      const probe = createServer().listen(0, '127.0.0.1', () => {
        const { port } = probe.address() as AddressInfo;
        probe.close(() => resolvePort(port));
      });
    });
    const run = await world.spawnCli(['stats'], {
      ...process.env,
      FIRESTORE_EMULATOR_HOST: `127.0.0.1:${closedPort}`,
    });
    assert.equal(run.code, 1);
    assert.match(
      run.stderr,
      new RegExp(`No Firestore emulator answers at 127\\.0\\.0\\.1:${closedPort}`),
    );
  });
});
