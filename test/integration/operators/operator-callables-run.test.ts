/**
 * The operator callables' checks at the deployed callable itself (`.run(request)`, as the
 * Functions runtime runs the handler after decoding): App Check when ENFORCE_APP_CHECK is true,
 * then the operator claim, then the input; a refused call writes nothing. Firestore is the
 * emulator.
 */
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import type { CallableRequest } from 'firebase-functions/v2/https';
import { defaultParamEnv } from '../../../functions/src/config/defaults';
import { createStores } from '../../../functions/src/adapters/stores';
import { OPERATOR_CLAIM_REQUIRED } from '../../../functions/src/core/operator';
import { acceptPushRequest } from '../../../functions/src/use-cases/outbox';
import { operatorCancel } from '../../../functions/src/triggers/operator-cancel';
import { operatorUserDevices } from '../../../functions/src/triggers/operator-user-devices';
import { callableRequest, httpsError } from '../../support/callable-request';
import { useTestFirestore } from '../../support/emulated-firestore';
import { useParamEnv } from '../../support/param-env';

const PARAMS = { ...defaultParamEnv(), ENFORCE_APP_CHECK: 'false' };

/** A request whose ID token carries `claims` (what the runtime decodes from a custom claim). */
function withClaims(
  data: unknown,
  claims: Record<string, unknown>,
  options: { app?: boolean } = {},
): CallableRequest {
  const r = callableRequest(data, options);
  const uid = r.auth!.uid;
  return { ...r, auth: { ...r.auth!, token: { uid, ...claims } as never } } as CallableRequest;
}

describe('operator callables at the callable (.run): App Check, claim, input', () => {
  const fs = useTestFirestore();
  useParamEnv(PARAMS);

  async function pendingPush(): Promise<string> {
    const out = await acceptPushRequest(
      createStores(fs.db),
      { to: { token: 'run-later-token' }, title: 'Later', reservedAt: '2099-01-01T00:00:00Z' },
      { path: 'pushRequests/run-later', createTimeMs: Date.now(), nowMs: Date.now() },
    );
    assert.equal(out.status, 'accepted');
    return out.status === 'accepted' ? out.queued.pushIds[0]! : '';
  }
  const statusOf = async (id: string) =>
    (await fs.db.collection('pushes').doc(id).get()).get('status') as string;

  it('when ENFORCE_APP_CHECK=true and an operator calls without App Check, then it is unauthenticated and nothing changes', async () => {
    process.env.ENFORCE_APP_CHECK = 'true';
    const id = await pendingPush();
    const err = await httpsError(
      Promise.resolve(operatorCancel.run(withClaims({ id }, { operator: true }, { app: false }))),
    );
    assert.equal(err.code, 'unauthenticated');
    assert.match(err.message, /App Check/);
    assert.equal(await statusOf(id), 'pending');
  });

  it('when ENFORCE_APP_CHECK=true and a verified operator app calls, then the action runs', async () => {
    process.env.ENFORCE_APP_CHECK = 'true';
    const id = await pendingPush();
    const res = await operatorCancel.run(withClaims({ id }, { operator: true }));
    assert.deepEqual(res, { id, kind: 'push', from: 'pending' });
    assert.equal(await statusOf(id), 'cancelled');
  });

  it('when a verified app of a user without the claim calls, then permission-denied and nothing changes', async () => {
    const id = await pendingPush();
    for (const claims of [{}, { operator: false }, { operator: 'true' }]) {
      const err = await httpsError(Promise.resolve(operatorCancel.run(withClaims({ id }, claims))));
      assert.equal(err.code, 'permission-denied');
      assert.equal(err.message, OPERATOR_CLAIM_REQUIRED);
    }
    assert.equal(await statusOf(id), 'pending');
  });

  it('when the data is over the size bound, then invalid-argument names (data)', async () => {
    const err = await httpsError(
      Promise.resolve(
        operatorUserDevices.run(withClaims({ uid: 'x'.repeat(9_000) }, { operator: true })),
      ),
    );
    assert.equal(err.code, 'invalid-argument');
    assert.deepEqual(err.details, { field: '(data)' });
  });
});
