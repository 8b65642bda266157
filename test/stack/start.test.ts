/**
 * `npm start` and `npm run demo` as a newcomer runs them: the whole stack on its fixed ports, the
 * demo's pushes arriving at the local FCM server, and nothing left running after Ctrl-C, or even
 * after `npm start` is killed outright. Runs without emulators of its own (tier "stack").
 */
import { after, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { createServer, type Server } from 'node:net';
import { deleteApp, initializeApp, type App } from 'firebase-admin/app';
import { getFirestore } from 'firebase-admin/firestore';
import { assertPortsFree } from '../../tools/emulators/ports';
import { localEnv } from '../../tools/local-env/local-env';
import { eventually } from '../../tools/support/eventually';
import { runScript, type RunningScript } from '../support/local-stack-process';
import { emulatorAdminAuth } from '../../tools/local-stack/local-operator';
import { LOCAL_OPERATOR } from '../../tools/local-stack/local-operator-account';
import {
  commandLine,
  groupAlive,
  isAlive,
  markedProcesses,
  WATCHDOG_MARKER,
} from '../../tools/local-stack/processes';

const START = 'tools/local-stack/start.ts';
const DEMO = 'tools/local-stack/demo.ts';
// Two shared cores, other engineers' test runs beside ours: generous, never asserted on.
const READY_TIMEOUT_MS = 240_000;

const escapeRegExp = (s: string) => s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');

const started: RunningScript[] = [];
function start(args: string[]): RunningScript {
  const s = runScript(START, args);
  started.push(s);
  return s;
}

after(async () => {
  // A failed test must not leave a stack holding the fixed ports for the next run.
  for (const s of started) {
    if (s.child.exitCode === null && s.child.signalCode === null) {
      process.kill(-s.pid, 'SIGINT');
      await s.exited;
    }
    for (const pid of [...markedProcesses(s.pid), ...markedProcesses(s.pid, WATCHDOG_MARKER)]) {
      try {
        process.kill(pid, 'SIGKILL');
      } catch {
        // ended meanwhile
      }
    }
  }
});

async function firestorePidFromHub(): Promise<number> {
  const res = await fetch(`${localEnv().hub.url}/emulators`);
  const hub = (await res.json()) as { firestore?: { pid?: number } };
  assert.equal(typeof hub.firestore?.pid, 'number', 'the hub reports the Firestore JVM pid');
  return hub.firestore!.pid!;
}

/** `npm start` (no flags) on free ports, once it says it is ready; with its Firestore JVM's pid. */
async function startReady(): Promise<{ stack: RunningScript; javaPid: number }> {
  await assertPortsFree(localEnv().ports);
  const stack = start([]);
  await stack.waitForLine(/^ready /, READY_TIMEOUT_MS);
  return { stack, javaPid: await firestorePidFromHub() };
}

/** Everything `npm start` (pid = its process group) started is gone and its ports are free. */
async function assertNothingLeft(stack: RunningScript, javaPid: number): Promise<void> {
  // Processes take a moment to be reaped after a kill; wait for that, then say what is left.
  await eventually(
    () =>
      groupAlive(stack.pid) ||
      markedProcesses(stack.pid).length ||
      markedProcesses(stack.pid, WATCHDOG_MARKER).length ||
      isAlive(javaPid)
        ? undefined
        : true,
    30_000,
    'every process of npm start to end',
  ).catch(() => undefined);
  assert.equal(groupAlive(stack.pid), false, "npm start's process group is gone");
  assert.deepEqual(markedProcesses(stack.pid), [], 'no process started by npm start remains');
  assert.deepEqual(markedProcesses(stack.pid, WATCHDOG_MARKER), [], 'the watchdog is gone');
  assert.equal(isAlive(javaPid), false, `the Firestore JVM (pid ${javaPid}) is gone`);
  await assertPortsFree(localEnv().ports);
}

describe('npm start and npm run demo', () => {
  it('when npm start is not running, then npm run demo says so and exits non-zero', async () => {
    await assertPortsFree(localEnv().ports);
    const demo = runScript(DEMO);
    const { code } = await demo.exited;
    assert.equal(code, 1);
    assert.match(demo.lines.join('\n'), /npm start is not running/);
    assert.match(demo.lines.join('\n'), /Start it in another terminal with `npm start`/);
  });

  it('when a port of the stack is taken, then npm start names it, starts nothing and exits non-zero', async () => {
    const fcmPort = localEnv().fcm.port;
    const squatter: Server = createServer();
    await new Promise<void>((r) => squatter.listen(fcmPort, '127.0.0.1', r));
    try {
      const stack = start([]);
      const { code } = await stack.exited;
      assert.equal(code, 1);
      assert.match(
        stack.lines.join('\n'),
        new RegExp(`In use: .*local FCM server port ${fcmPort}`),
      );
      assert.ok(!stack.lines.some((l) => /^ready/.test(l)));
      await eventually(
        () => (groupAlive(stack.pid) ? undefined : true),
        10_000,
        'the group to end',
      );
      assert.deepEqual(markedProcesses(stack.pid), []);
    } finally {
      await new Promise((r) => squatter.close(r));
    }
  });

  it('when npm start runs, then the demo pushes reach the local FCM server, and Ctrl-C leaves nothing running', async () => {
    await assertPortsFree(localEnv().ports);
    const stack = start(['--drain-every', '1s']);
    await stack.waitForLine(
      new RegExp(
        `^ready {2}Console ${escapeRegExp(localEnv().hosting.url)} {2}Functions ${escapeRegExp(localEnv().functions.url)} .*Firestore .*Auth .*FCM server .*metadata `,
      ),
      READY_TIMEOUT_MS,
    );
    // The Hosting emulator serves the console built for the emulators, any path rewritten to it.
    const page = await fetch(`${localEnv().hosting.url}/any/route`);
    assert.equal(page.status, 200);
    assert.match(await page.text(), /<div id="app">/);
    // ...and the local operator it signs in as exists, with the claim.
    const admin = emulatorAdminAuth();
    try {
      const operator = await admin.auth.getUserByEmail(LOCAL_OPERATOR.email);
      assert.equal(operator.customClaims?.operator, true);
    } finally {
      await admin.close();
    }
    assert.ok(
      stack.lines.some((l) => /^Java \d+: (standard|compatibility)/.test(l)),
      'says which Java path it took',
    );
    const javaPid = await firestorePidFromHub();
    assert.match(commandLine(javaPid), /java/);
    assert.ok(
      markedProcesses(stack.pid).includes(javaPid),
      'the detached JVM carries the marker the sweep looks for',
    );

    const demo = runScript(DEMO, ['--reminder-in', '5s', '--wait']);
    const { code } = await demo.exited;
    const demoOut = demo.lines.join('\n');
    assert.equal(code, 0, demoOut);
    const target = /registerToken: device (token:[0-9a-f]{8}) saved/.exec(demoOut)?.[1];
    assert.ok(target, demoOut);
    const orderMessage = new RegExp(
      `immediate push sent .*: (projects/${localEnv().projectId}/messages/\\S+)`,
    ).exec(demoOut)?.[1];
    assert.ok(orderMessage, demoOut);
    assert.match(
      demoOut,
      /reminder waiting: notifications\/\S+ status \w+, reservedAt \d\d:\d\d:\d\d/,
    );
    const orderId = /orders\/(demo-order-\w+): paid -> shipped/.exec(demoOut)![1];

    // What the local FCM server received, as npm start shows it.
    const pushLines = stack.lines.filter((l) => / push {2}token:/.test(l));
    const escaped = target.replace(':', '\\:');
    assert.ok(
      pushLines.some((l) =>
        new RegExp(
          `^\\d\\d:\\d\\d:\\d\\d {2}push {2}${escaped} +Your order has shipped {2}— Order ${orderId} is on its way\\.$`,
        ).test(l),
      ),
      stack.lines.join('\n'),
    );
    assert.ok(
      pushLines.some((l) => l.includes(target) && l.includes('Starting in one hour')),
      stack.lines.join('\n'),
    );

    // And what the functions wrote back.
    process.env.FIRESTORE_EMULATOR_HOST = localEnv().firestore.address;
    const app: App = initializeApp(
      { projectId: localEnv().projectId },
      `stack-test-${process.pid}`,
    );
    try {
      const pushes = await getFirestore(app)
        .collection('pushes')
        .where('source.path', '==', `orders/${orderId}`)
        .get();
      assert.equal(pushes.size, 1);
      assert.equal(pushes.docs[0].get('status'), 'sent');
      assert.equal(pushes.docs[0].get('result').messageId, orderMessage);
    } finally {
      await deleteApp(app);
    }

    process.kill(-stack.pid, 'SIGINT'); // what a terminal's Ctrl-C does
    const exit = await stack.exited;
    assert.equal(exit.code, 0, stack.lines.join('\n'));
    assert.ok(stack.lines.includes('stopped; nothing left running'), stack.lines.join('\n'));
    await assertNothingLeft(stack, javaPid);
  });

  it('when firebase-tools dies abruptly, then npm start says so, stops the rest, the JVM included, and exits non-zero', async () => {
    const { stack, javaPid } = await startReady();
    const firebaseTools = markedProcesses(stack.pid).find((pid) =>
      /firebase\.js emulators:start/.test(commandLine(pid)),
    );
    assert.ok(firebaseTools, 'firebase-tools runs under npm start');

    process.kill(firebaseTools, 'SIGKILL'); // its JVM, started detached, is orphaned
    const exit = await stack.exited;
    assert.equal(exit.code, 1);
    assert.ok(
      stack.lines.some((l) => /^firebase-tools exited unexpectedly \(SIGKILL\)/.test(l)),
      stack.lines.join('\n'),
    );
    await assertNothingLeft(stack, javaPid);
  });

  it('when npm start is killed outright, then its watchdog stops the emulators and the JVM', async () => {
    const { stack, javaPid } = await startReady();
    assert.ok(markedProcesses(stack.pid).length > 0);

    process.kill(stack.pid, 'SIGKILL'); // no chance to clean up itself
    await stack.exited;
    await assertNothingLeft(stack, javaPid);
  });
});
