/**
 * `fcm-push operator grant|revoke <uid>` against the Auth emulator, and what it changes for the
 * operator callables: a user granted the claim is allowed once their ID token refreshes, and
 * refused again after a revoke; the user's other custom claims are kept.
 */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { deleteApp, initializeApp, type App } from 'firebase-admin/app';
import { getAuth, type Auth } from 'firebase-admin/auth';
import { localEnv } from '../../tools/local-env/local-env';
import { clientApp, type ClientApp } from '../../tools/local-stack/client-app';
import { callError } from '../support/call-error';
import { runCliHere as cli, spawnCli } from '../support/cli-run';

describe('fcm-push operator grant|revoke (Auth emulator)', () => {
  let admin: App;
  let adminAuth: Auth;
  let person: ClientApp;
  let uid: string;

  before(async () => {
    const env = localEnv();
    process.env.FIREBASE_AUTH_EMULATOR_HOST ??= env.auth.address;
    admin = initializeApp({ projectId: env.projectId }, `operator-cli-e2e-${process.pid}`);
    adminAuth = getAuth(admin);
    person = clientApp();
    uid = await person.signIn();
    await adminAuth.setCustomUserClaims(uid, { plan: 'pro' });
    await person.auth.currentUser!.getIdToken(true);
  });
  after(async () => {
    await person.close();
    await deleteApp(admin);
  });

  const devices = () => person.callable('operatorUserDevices')({ uid: 'someone' });

  it('when an operator is granted, then the claim is set beside the others and applies after the ID token refreshes', async () => {
    assert.equal((await callError(devices())).code, 'functions/permission-denied');

    // The binary, as an operator runs it.
    const run = await spawnCli(['operator', 'grant', uid]);
    assert.equal(run.code, 0, run.stderr);
    assert.match(run.stdout, new RegExp(`granted: ${uid} is now an operator of demo-push`));
    assert.match(run.stdout, /applies after the user's ID token refreshes/);
    assert.deepEqual((await adminAuth.getUser(uid)).customClaims, { plan: 'pro', operator: true });

    // The ID token the app holds was minted before the grant: still refused.
    assert.equal((await callError(devices())).code, 'functions/permission-denied');
    await person.auth.currentUser!.getIdToken(true);
    const res = await devices();
    assert.deepEqual(res.data, { uid: 'someone', devices: [] });

    const again = await cli(['operator', 'grant', uid, '--json']);
    assert.equal(again.code, 0);
    assert.deepEqual(JSON.parse(again.stdout), {
      project: 'demo-push',
      uid,
      operator: true,
      changed: false,
      claims: ['plan', 'operator'],
    });
  });

  it('when an operator is revoked, then only that claim goes and the callables refuse after a refresh', async () => {
    await adminAuth.setCustomUserClaims(uid, { plan: 'pro', operator: true });
    const run = await cli(['operator', 'revoke', uid]);
    assert.equal(run.code, 0, run.stderr);
    assert.match(run.stdout, new RegExp(`revoked: ${uid} is no longer an operator`));
    assert.deepEqual((await adminAuth.getUser(uid)).customClaims, { plan: 'pro' });
    await person.auth.currentUser!.getIdToken(true);
    assert.equal((await callError(devices())).code, 'functions/permission-denied');
  });

  it('when the uid is unknown or the arguments are wrong, then it says so and changes nothing', async () => {
    const missing = await cli(['operator', 'grant', 'no-such-user-uid']);
    assert.equal(missing.code, 1);
    assert.match(missing.stderr, /no user with uid no-such-user-uid/);
    for (const argv of [['operator'], ['operator', 'promote', uid], ['operator', 'grant']]) {
      const bad = await cli(argv);
      assert.equal(bad.code, 2, argv.join(' '));
      assert.match(bad.stderr, /operator takes grant <uid> or revoke <uid>/);
    }
  });

  it('when --project is given while FIREBASE_AUTH_EMULATOR_HOST is set, then it refuses', async () => {
    const run = await cli(['operator', 'grant', uid, '--project', 'my-real-project']);
    assert.equal(run.code, 2);
    assert.match(run.stderr, /FIREBASE_AUTH_EMULATOR_HOST is set/);
  });
});
