/**
 * App Check enforcement and the request size limit at the callable itself: the deployed
 * registerToken/unregisterToken functions invoked through `.run(request)` (firebase-functions v2
 * runs the handler as the runtime would, after its own decoding), with ENFORCE_APP_CHECK set in
 * this process's environment as the Functions runtime sets params. Firestore is the emulator.
 */
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { PUSH_TOKENS } from '../../../functions/src/adapters/token-store';
import { defaultParamEnv } from '../../../functions/src/config/defaults';
import { RATE_LIMITS } from '../../../functions/src/adapters/rate-limit-store';
import { MAX_CALL_DATA_BYTES } from '../../../functions/src/core/token-registration';
import { tokenIdOf } from '../../../functions/src/core/token-id';
import { registerToken } from '../../../functions/src/triggers/register-token';
import { unregisterToken } from '../../../functions/src/triggers/unregister-token';
import { callableRequest as request, httpsError } from '../../support/callable-request';
import { useTestFirestore } from '../../support/emulated-firestore';
import { useParamEnv } from '../../support/param-env';

/**
 * Params the handlers read at run time. The runtime sets every param (from functions/.env and
 * .env.<project>), and readSettings() refuses a missing one, so all start at their defaults.
 */
const PARAMS = {
  ...defaultParamEnv(),
  ENFORCE_APP_CHECK: 'false',
  TOKEN_CALLS_PER_MINUTE: '1000',
  MAX_DEVICES_PER_USER: '10',
};

describe('App Check enforcement and size limits of the token callables (.run)', () => {
  const fs = useTestFirestore();
  useParamEnv(PARAMS);

  const tokenDoc = (token: string) => fs.db.collection(PUSH_TOKENS).doc(tokenIdOf(token)).get();

  for (const enforce of [true, false]) {
    it(`when ENFORCE_APP_CHECK=${enforce} and the app is verified, then registerToken saves the token`, async () => {
      process.env.ENFORCE_APP_CHECK = String(enforce);
      const res = await registerToken.run(
        request({ token: `verified-${enforce}`, platform: 'android' }, { app: true }),
      );
      assert.deepEqual(res, { tokenId: tokenIdOf(`verified-${enforce}`) });
      assert.equal((await tokenDoc(`verified-${enforce}`)).exists, true);
    });
  }

  it('when ENFORCE_APP_CHECK=false and the call has no App Check token, then it is accepted', async () => {
    const res = await registerToken.run(
      request({ token: 'no-app-check', platform: 'ios' }, { app: false }),
    );
    assert.deepEqual(res, { tokenId: tokenIdOf('no-app-check') });
    assert.equal((await tokenDoc('no-app-check')).exists, true);
  });

  it('when ENFORCE_APP_CHECK=true and the call has no App Check token, then both callables are unauthenticated and write nothing', async () => {
    process.env.ENFORCE_APP_CHECK = 'true';
    const reg = await httpsError(
      Promise.resolve(
        registerToken.run(request({ token: 'refused', platform: 'ios' }, { app: false })),
      ),
    );
    assert.equal(reg.code, 'unauthenticated');
    assert.match(reg.message, /App Check/);
    const unreg = await httpsError(
      Promise.resolve(unregisterToken.run(request({ token: 'refused' }, { app: false }))),
    );
    assert.equal(unreg.code, 'unauthenticated');
    assert.equal((await fs.db.collection(PUSH_TOKENS).get()).size, 0);
    assert.equal(
      (await fs.db.collection(RATE_LIMITS).get()).size,
      0,
      'a refused app does not even cost a counter write',
    );
  });

  it('when callable data is over the size limit, then invalid-argument names (data) and nothing is written', async () => {
    const big = { token: 'big', platform: 'ios', appVersion: 'x'.repeat(MAX_CALL_DATA_BYTES) };
    for (const fn of [registerToken, unregisterToken]) {
      const err = await httpsError(Promise.resolve(fn.run(request(big, { app: true }))));
      assert.equal(err.code, 'invalid-argument');
      assert.deepEqual(err.details, { field: '(data)' });
      assert.match(err.message, /8,192 bytes/);
    }
    // Deep nesting is refused the same way, without walking it all.
    let deep: unknown = 'leaf';
    for (let i = 0; i < 10_000; i++) deep = [deep];
    const err = await httpsError(
      Promise.resolve(registerToken.run(request({ token: deep }, { app: true }))),
    );
    assert.deepEqual(err.details, { field: '(data)' });
    assert.equal((await fs.db.collection(PUSH_TOKENS).get()).size, 0);
  });

  it('when the data is just under the limit but invalid, then the field is named, not the size', async () => {
    const err = await httpsError(
      Promise.resolve(
        registerToken.run(
          // An unknown field is only a warning now (issue 10, item 8): a bad platform fails.
          request({ token: 'ok', platform: 'x'.repeat(7000) }, { app: true }),
        ),
      ),
    );
    assert.equal(err.code, 'invalid-argument');
    assert.deepEqual(err.details, { field: 'platform' });
  });

  it('when a user exceeds TOKEN_CALLS_PER_MINUTE, then the callable answers resource-exhausted with retryAfterSeconds', async () => {
    process.env.TOKEN_CALLS_PER_MINUTE = '2';
    try {
      const uid = 'limited-user';
      for (let i = 0; i < 2; i++) {
        await registerToken.run(request({ token: `l-${i}`, platform: 'web' }, { app: true, uid }));
      }
      const err = await httpsError(
        Promise.resolve(unregisterToken.run(request({ token: 'l-0' }, { app: true, uid }))),
      );
      assert.equal(err.code, 'resource-exhausted');
      const retry = (err.details as { retryAfterSeconds: number }).retryAfterSeconds;
      assert.ok(retry >= 1 && retry <= 60, `retryAfterSeconds ${retry}`);
    } finally {
      process.env.TOKEN_CALLS_PER_MINUTE = PARAMS.TOKEN_CALLS_PER_MINUTE;
    }
  });
});
