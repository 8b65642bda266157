import { before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import type { Timestamp } from 'firebase-admin/firestore';
import { createTokenStore, PUSH_TOKENS } from '../../../functions/src/adapters/token-store';
import { createRateLimitStore } from '../../../functions/src/adapters/rate-limit-store';
import { DomainFailure } from '../../../functions/src/core/errors';
import { tokenIdOf } from '../../../functions/src/core/token-id';
import { registerToken, unregisterToken } from '../../../functions/src/use-cases/register-token';
import { useTestFirestore } from '../../support/emulated-firestore';

const alice = { uid: 'alice', appVerified: false };
const bob = { uid: 'bob', appVerified: false };

describe('registerToken / unregisterToken against the Firestore emulator', () => {
  const fs = useTestFirestore();
  let deps: Parameters<typeof registerToken>[0];

  before(() => {
    deps = {
      tokens: createTokenStore(fs.db),
      maxDevicesPerUser: 3,
      enforceAppCheck: false,
      // The limit has its own tests (rate-limit.test.ts); high enough not to matter here.
      rateLimits: createRateLimitStore(fs.db),
      tokenCallsPerMinute: 1000,
      now: Date.now,
    };
  });

  const doc = (token: string) => fs.db.collection(PUSH_TOKENS).doc(tokenIdOf(token)).get();
  /** Alice registers `token` from a device of `platform`, with `meta` (locale, timezone, …). */
  const asAlice = (token: string, platform: string, meta: Record<string, unknown> = {}) =>
    registerToken(deps, alice, { token, platform, ...meta });

  it('when a user registers a token, then pushTokens/{sha256} holds it with server timestamps', async () => {
    const saved = await asAlice('tok-1', 'android', {
      locale: 'ko-KR',
      timezone: 'Asia/Seoul',
      appVersion: '1.0.0',
    });
    assert.equal(saved.tokenId, tokenIdOf('tok-1'));
    const snap = await doc('tok-1');
    assert.equal(snap.exists, true);
    const data = snap.data()!;
    assert.equal(data.uid, 'alice');
    assert.equal(data.token, 'tok-1');
    assert.equal(data.platform, 'android');
    assert.equal(data.locale, 'ko-KR');
    assert.equal(data.timezone, 'Asia/Seoul');
    assert.equal(data.appVersion, '1.0.0');
    assert.ok((data.createdAt as Timestamp).toMillis() > 0);
    assert.equal(
      (data.updatedAt as Timestamp).toMillis(),
      (data.createdAt as Timestamp).toMillis(),
    );
  });

  it('when the same token is saved again, then only updatedAt and changed fields change', async () => {
    await registerToken(deps, alice, { token: 'tok-1', platform: 'android', locale: 'ko-KR' });
    const first = (await doc('tok-1')).data()!;
    await new Promise((r) => setTimeout(r, 5));
    await registerToken(deps, alice, { token: 'tok-1', platform: 'android', appVersion: '2.0' });
    const second = (await doc('tok-1')).data()!;
    assert.deepEqual(second.createdAt, first.createdAt);
    assert.ok(
      (second.updatedAt as Timestamp).toMillis() > (first.updatedAt as Timestamp).toMillis(),
    );
    assert.equal(second.locale, 'ko-KR', 'a field not sent again is kept');
    assert.equal(second.appVersion, '2.0');
    const all = await fs.db.collection(PUSH_TOKENS).get();
    assert.equal(all.size, 1);
  });

  it('when another user saves a token alice had, then it moves to that user and loses her fields', async () => {
    await registerToken(deps, alice, { token: 'shared', platform: 'ios', locale: 'en-US' });
    const saved = await registerToken(deps, bob, { token: 'shared', platform: 'ios' });
    assert.equal(saved.movedFromAnotherUser, true);
    const data = (await doc('shared')).data()!;
    assert.equal(data.uid, 'bob');
    assert.equal(data.locale, undefined);
  });

  it('when a user goes over the device cap, then the least recently updated devices are removed', async () => {
    for (const t of ['d1', 'd2', 'd3']) {
      await registerToken(deps, alice, { token: t, platform: 'android' });
      await new Promise((r) => setTimeout(r, 5));
    }
    // Refresh d1 so that d2 becomes the least recently updated.
    await registerToken(deps, alice, { token: 'd1', platform: 'android' });
    await new Promise((r) => setTimeout(r, 5));
    const saved = await registerToken(deps, alice, { token: 'd4', platform: 'android' });
    assert.deepEqual(saved.removedTokenIds, [tokenIdOf('d2')]);
    const left = await fs.db.collection(PUSH_TOKENS).where('uid', '==', 'alice').get();
    assert.deepEqual(left.docs.map((d) => d.get('token')).sort(), ['d1', 'd3', 'd4']);
  });

  it('when one user registers many devices at once, then the cap still holds', async () => {
    await Promise.all(
      Array.from({ length: 8 }, (_, i) =>
        registerToken(deps, alice, { token: `c${i}`, platform: 'web' }),
      ),
    );
    const left = await fs.db.collection(PUSH_TOKENS).where('uid', '==', 'alice').get();
    assert.equal(left.size, 3);
  });

  it('when the cap removes devices, then other users are untouched', async () => {
    await registerToken(deps, bob, { token: 'bob-1', platform: 'ios' });
    for (const t of ['a1', 'a2', 'a3', 'a4'])
      await registerToken(deps, alice, { token: t, platform: 'ios' });
    assert.equal((await doc('bob-1')).exists, true);
  });

  it('when input is invalid, then invalid-argument names the field and nothing is written', async () => {
    await assert.rejects(
      registerToken(deps, alice, { token: 'has space', platform: 'ios' }),
      (err: unknown) =>
        err instanceof DomainFailure &&
        err.error.kind === 'invalid-argument' &&
        err.error.field === 'token',
    );
    assert.equal((await fs.db.collection(PUSH_TOKENS).get()).size, 0);
  });

  it('when an iOS locale carries a region override, then it is saved as a BCP 47 tag', async () => {
    const saved = await asAlice('ios-tok', 'ios', {
      locale: 'en_US@rg=krzzzz',
      timezone: 'asia/seoul',
    });
    assert.deepEqual(saved.warnings, []);
    const data = (await doc('ios-tok')).data()!;
    assert.equal(data.locale, 'en-US');
    assert.equal(data.timezone, 'Asia/Seoul');
  });

  it('when the metadata is malformed, then the device is still registered, the fields are left out and warnings name them', async () => {
    const saved = await asAlice('tok-meta', 'android', {
      locale: 'english please',
      timezone: 'Mars/Olympus',
      appVersion: 'x'.repeat(100),
      notificationsEnabled: true,
    });
    assert.deepEqual(
      saved.warnings.map((w) => w.field),
      ['locale', 'timezone', 'appVersion', 'notificationsEnabled'],
    );
    const data = (await doc('tok-meta')).data()!;
    assert.equal(data.uid, 'alice');
    assert.equal(data.platform, 'android');
    for (const field of ['locale', 'timezone', 'appVersion', 'notificationsEnabled']) {
      assert.equal(data[field], undefined, field);
    }
  });

  it('when a later call sends a malformed locale, then the saved one is kept', async () => {
    await registerToken(deps, alice, { token: 'tok-keep', platform: 'ios', locale: 'ko-KR' });
    const saved = await asAlice('tok-keep', 'ios', { locale: 42 });
    assert.deepEqual(
      saved.warnings.map((w) => w.field),
      ['locale'],
    );
    assert.equal((await doc('tok-keep')).get('locale'), 'ko-KR');
  });

  it('when nobody is signed in, then unauthenticated and nothing is written', async () => {
    await assert.rejects(
      registerToken(deps, undefined, { token: 'tok', platform: 'ios' }),
      (err: unknown) => err instanceof DomainFailure && err.error.kind === 'unauthenticated',
    );
    assert.equal((await fs.db.collection(PUSH_TOKENS).get()).size, 0);
  });

  it('when App Check is enforced and the app is not verified, then the call is refused', async () => {
    await assert.rejects(
      registerToken({ ...deps, enforceAppCheck: true }, alice, { token: 'tok', platform: 'ios' }),
      (err: unknown) => err instanceof DomainFailure && err.error.kind === 'app-check-required',
    );
    await registerToken(
      { ...deps, enforceAppCheck: true },
      { uid: 'alice', appVerified: true },
      {
        token: 'tok',
        platform: 'ios',
      },
    );
    assert.equal((await doc('tok')).exists, true);
  });

  it('when a user unregisters their token, then it is deleted', async () => {
    await registerToken(deps, alice, { token: 'bye', platform: 'ios' });
    assert.deepEqual(await unregisterToken(deps, alice, { token: 'bye' }), { removed: true });
    assert.equal((await doc('bye')).exists, false);
  });

  it("when a user unregisters another user's token, then it stays", async () => {
    await registerToken(deps, bob, { token: 'bobs', platform: 'ios' });
    assert.deepEqual(await unregisterToken(deps, alice, { token: 'bobs' }), { removed: false });
    assert.equal((await doc('bobs')).get('uid'), 'bob');
  });
});
