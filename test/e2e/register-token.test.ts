/**
 * registerToken / unregisterToken through the Functions and Auth emulators, called with the
 * Firebase JS SDK exactly as a mobile app calls them.
 */
import { after, before, beforeEach, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { tokenIdOf } from '../../functions/src/core/token-id';
import { clientApp, type ClientApp } from '../../tools/local-stack/client-app';
import { callError } from '../support/call-error';
import { connectTestFirestore, type TestFirestore } from '../support/emulated-firestore';

type RegisterReq = Record<string, unknown>;
type RegisterRes = { tokenId: string; warnings?: Array<{ field: string; message: string }> };

describe('registerToken and unregisterToken from the app (Firebase JS SDK)', () => {
  let fs: TestFirestore;
  let phone: ClientApp;
  let other: ClientApp;

  before(() => {
    fs = connectTestFirestore();
    phone = clientApp();
    other = clientApp();
  });
  beforeEach(() => fs.reset());
  after(async () => {
    await Promise.all([phone.close(), other.close(), fs.close()]);
  });

  const register = (app: ClientApp, data: RegisterReq) =>
    app.callable<RegisterReq, RegisterRes>('registerToken')(data);
  const tokenDoc = (token: string) => fs.db.collection('pushTokens').doc(tokenIdOf(token)).get();
  const countTokens = async () => (await fs.db.collection('pushTokens').get()).size;

  it('when a signed-in app registers its token, then it gets the token id and the document exists', async () => {
    const uid = await phone.signIn();
    const res = await register(phone, {
      token: 'e2e-token-1',
      platform: 'android',
      locale: 'ko-KR',
      timezone: 'Asia/Seoul',
      appVersion: '1.2.3',
    });
    assert.deepEqual(res.data, { tokenId: tokenIdOf('e2e-token-1') });
    const snap = await tokenDoc('e2e-token-1');
    assert.equal(snap.get('uid'), uid);
    assert.equal(snap.get('platform'), 'android');
    assert.equal(snap.get('timezone'), 'Asia/Seoul');
    assert.ok(snap.get('createdAt').toMillis() > 0);
  });

  it('when the same token is registered again, then createdAt stays and updatedAt moves', async () => {
    await phone.signIn();
    await register(phone, { token: 'again', platform: 'ios' });
    const first = await tokenDoc('again');
    await register(phone, { token: 'again', platform: 'ios' });
    const second = await tokenDoc('again');
    assert.equal(second.get('createdAt').toMillis(), first.get('createdAt').toMillis());
    assert.ok(second.get('updatedAt').toMillis() > first.get('updatedAt').toMillis());
    assert.equal(await countTokens(), 1);
  });

  it('when another user registers the same token, then it moves to that user', async () => {
    await phone.signIn();
    await register(phone, { token: 'handed-down', platform: 'android' });
    const otherUid = await other.signIn();
    await register(other, { token: 'handed-down', platform: 'android' });
    assert.equal((await tokenDoc('handed-down')).get('uid'), otherUid);
  });

  it('when a user registers more than 10 devices, then the oldest are removed', async () => {
    const uid = await phone.signIn();
    for (let i = 0; i < 12; i++) await register(phone, { token: `dev-${i}`, platform: 'web' });
    const mine = await fs.db.collection('pushTokens').where('uid', '==', uid).get();
    assert.equal(mine.size, 10);
    assert.equal((await tokenDoc('dev-0')).exists, false);
    assert.equal((await tokenDoc('dev-1')).exists, false);
    assert.equal((await tokenDoc('dev-11')).exists, true);
  });

  it('when the app is signed out, then the call is unauthenticated and nothing is written', async () => {
    await phone.signOut();
    const err = await callError(register(phone, { token: 'anon', platform: 'ios' }));
    assert.equal(err.code, 'functions/unauthenticated');
    assert.equal(await countTokens(), 0);
  });

  const invalid: Array<[string, unknown, string]> = [
    ['the token is missing', { platform: 'ios' }, 'token'],
    ['the token is empty', { token: '', platform: 'ios' }, 'token'],
    ['the token is not a string', { token: 12345, platform: 'ios' }, 'token'],
    ['the token is over 4,096 characters', { token: 'x'.repeat(4097), platform: 'ios' }, 'token'],
    ['the token has whitespace', { token: 'a b', platform: 'ios' }, 'token'],
    ['the token has a control character', { token: 'a\u0001b', platform: 'ios' }, 'token'],
    ['the platform is unknown', { token: 'ok-token', platform: 'symbian' }, 'platform'],
    ['the data is not an object', 'just-a-token', '(data)'],
    ['the data is null', null, '(data)'],
  ];
  for (const [what, data, field] of invalid) {
    it(`when ${what}, then invalid-argument names ${field} and nothing is written`, async () => {
      await phone.signIn();
      const err = await callError(phone.callable('registerToken')(data));
      assert.equal(err.code, 'functions/invalid-argument');
      assert.deepEqual(err.details, { field });
      assert.ok(err.message.includes(field === '(data)' ? 'data' : field), err.message);
      assert.equal(await countTokens(), 0);
    });
  }

  it('when the metadata is malformed or unknown, then the device is registered and warnings name what was left out', async () => {
    await phone.signIn();
    const res = await register(phone, {
      token: 'warned-token',
      platform: 'ios',
      locale: 42,
      timezone: 'Z'.repeat(100),
      admin: true,
    });
    assert.equal(res.data.tokenId, tokenIdOf('warned-token'));
    assert.deepEqual(
      res.data.warnings?.map((w) => w.field),
      ['locale', 'timezone', 'admin'],
    );
    const snap = await tokenDoc('warned-token');
    assert.equal(snap.get('platform'), 'ios');
    assert.equal(snap.get('locale'), undefined);
    assert.equal(snap.get('admin'), undefined);
  });

  it('when the app unregisters its token at logout, then the document is deleted', async () => {
    await phone.signIn();
    await register(phone, { token: 'logout-me', platform: 'ios' });
    const res = await phone.callable('unregisterToken')({ token: 'logout-me' });
    assert.deepEqual(res.data, {});
    assert.equal((await tokenDoc('logout-me')).exists, false);
  });

  it("when a user unregisters another user's token, then it stays and the answer is the same as for an unknown token", async () => {
    await phone.signIn();
    await register(phone, { token: 'not-yours', platform: 'ios' });
    await other.signIn();
    const forOthers = await other.callable('unregisterToken')({ token: 'not-yours' });
    const forUnknown = await other.callable('unregisterToken')({ token: 'never-seen' });
    assert.deepEqual(forOthers.data, forUnknown.data);
    assert.equal((await tokenDoc('not-yours')).exists, true);
  });

  it('when unregisterToken gets bad input, then invalid-argument names the field', async () => {
    await phone.signIn();
    const err = await callError(phone.callable('unregisterToken')({ tokn: 'typo' }));
    assert.equal(err.code, 'functions/invalid-argument');
    assert.deepEqual(err.details, { field: 'tokn' });
  });

  it('when unregisterToken is called signed out, then it is unauthenticated', async () => {
    await phone.signOut();
    const err = await callError(phone.callable('unregisterToken')({ token: 'x' }));
    assert.equal(err.code, 'functions/unauthenticated');
  });
});
