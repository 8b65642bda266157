/**
 * Malformed input through the real use cases and the Firestore emulator: whatever a client or a
 * backend sends that the parsers refuse is answered with a clear rejection naming the field, and
 * writes nothing (no token saved or deleted, no notification, push or key record queued). Fewer runs than the unit tier: each
 * run is a few emulator round trips.
 */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { PUSH_KEYS } from '../../../functions/src/adapters/key-store';
import { NOTIFICATIONS } from '../../../functions/src/adapters/notification-store';
import { PUSHES } from '../../../functions/src/adapters/push-store';
import { createStores } from '../../../functions/src/adapters/stores';
import { PUSH_TOKENS } from '../../../functions/src/adapters/token-store';
import {
  createRateLimitStore,
  RATE_LIMITS,
} from '../../../functions/src/adapters/rate-limit-store';
import { DomainFailure } from '../../../functions/src/core/errors';
import { parsePushRequest } from '../../../functions/src/core/push-request';
import {
  parseRegisterTokenInput,
  parseUnregisterTokenInput,
} from '../../../functions/src/core/token-registration';
import { acceptPushRequest } from '../../../functions/src/use-cases/outbox';
import { registerToken, unregisterToken } from '../../../functions/src/use-cases/register-token';
import { connectTestFirestore, type TestFirestore } from '../../support/emulated-firestore';
import {
  assertUsableRejection,
  fuzzParams,
  pushRequestInputs,
  registerInputs,
  unregisterInputs,
} from '../../support/fuzz-inputs';

const RUNS = 50;
const caller = { uid: 'fuzzer', appVerified: true };

describe('fuzz: malformed input through the use cases (Firestore emulator)', () => {
  let fs: TestFirestore;
  let deps: Parameters<typeof registerToken>[0] & Parameters<typeof acceptPushRequest>[0];
  const existingToken = 'existing-device-token';

  before(async () => {
    fs = connectTestFirestore();
    await fs.reset();
    deps = {
      ...createStores(fs.db),
      maxDevicesPerUser: 10,
      enforceAppCheck: false,
      rateLimits: createRateLimitStore(fs.db),
      tokenCallsPerMinute: 1_000_000,
      now: Date.now,
    };
    // One device of the caller, which no malformed unregister call may delete.
    await registerToken(deps, caller, { token: existingToken, platform: 'android' });
  });
  after(() => fs.close());

  /** Every collection but the rate limit counter, which counts refused calls by design. */
  async function snapshotOfData(): Promise<string[]> {
    const out: string[] = [];
    for (const col of await fs.db.listCollections()) {
      if (col.id === RATE_LIMITS) continue;
      for (const d of (await col.get()).docs)
        out.push(`${col.id}/${d.id}@${d.updateTime.toMillis()}`);
    }
    return out.sort();
  }

  async function refusal(p: Promise<unknown>): Promise<{ field: string; message: string }> {
    try {
      await p;
    } catch (err) {
      assert.ok(err instanceof DomainFailure, String(err));
      assert.equal(err.error.kind, 'invalid-argument');
      return err.error as { field: string; message: string };
    }
    assert.fail('malformed input was accepted');
  }

  it('when malformed data reaches registerToken or unregisterToken, then invalid-argument names the field and nothing changes', async () => {
    const before = await snapshotOfData();
    assert.equal(before.length, 1);
    await fc.assert(
      fc.asyncProperty(
        fc.oneof(
          registerInputs
            .filter((d) => !parseRegisterTokenInput(d).ok)
            .map((data) => ({ call: 'register' as const, data })),
          unregisterInputs
            .filter((d) => !parseUnregisterTokenInput(d).ok)
            .map((data) => ({ call: 'unregister' as const, data })),
        ),
        async ({ call, data }) => {
          const expected =
            call === 'register' ? parseRegisterTokenInput(data) : parseUnregisterTokenInput(data);
          const err = await refusal(
            call === 'register'
              ? registerToken(deps, caller, data)
              : unregisterToken(deps, caller, data),
          );
          assertUsableRejection(err);
          assert.equal(err.field, (expected as { field: string }).field);
          assert.deepEqual(await snapshotOfData(), before);
        },
      ),
      fuzzParams(RUNS),
    );
  });

  it('when a malformed outbox document reaches the check path, then it is rejected with its field and no push is queued', async () => {
    const queued = async () =>
      Promise.all(
        [NOTIFICATIONS, PUSHES, PUSH_KEYS].map(
          async (name) => [name, (await fs.db.collection(name).limit(1).get()).size] as const,
        ),
      );
    await fc.assert(
      fc.asyncProperty(
        pushRequestInputs.filter((d) => !parsePushRequest(d).ok),
        fc.nat(),
        async (doc, n) => {
          const nowMs = Date.now();
          const out = await acceptPushRequest(deps, doc as Record<string, unknown>, {
            path: `pushRequests/fuzz-${n}`,
            createTimeMs: nowMs - 1_000,
            nowMs,
          });
          assert.equal(out.status, 'rejected');
          if (out.status !== 'rejected') return;
          assertUsableRejection({ field: out.field ?? '', message: out.reason });
          assert.deepEqual(await queued(), [
            [NOTIFICATIONS, 0],
            [PUSHES, 0],
            [PUSH_KEYS, 0],
          ]);
        },
      ),
      fuzzParams(RUNS),
    );
    assert.equal((await fs.db.collection(PUSH_TOKENS).get()).size, 1);
  });
});
