/**
 * Property tests over what apps send to registerToken / unregisterToken: whatever arrives, the
 * parser answers (never throws), and an accepted value satisfies every documented rule.
 */
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import {
  MAX_CALL_DATA_BYTES,
  MAX_TOKEN_LENGTH,
  PLATFORMS,
  jsonBytesUpTo,
  parseRegisterTokenInput,
  parseUnregisterTokenInput,
  type RegisterTokenInput,
} from '../../../functions/src/core/token-registration';
import {
  assertUsableRejection,
  fuzzParams,
  registerInputs,
  unregisterInputs,
} from '../../support/fuzz-inputs';

function assertValidToken(token: unknown): void {
  assert.equal(typeof token, 'string');
  const t = token as string;
  assert.ok(t.length >= 1 && t.length <= MAX_TOKEN_LENGTH);
  assert.doesNotMatch(t, /[\s\p{Cc}]/u);
}

function assertValidRegistration(data: unknown, value: RegisterTokenInput): void {
  assertValidToken(value.token);
  assert.ok((PLATFORMS as readonly string[]).includes(value.platform));
  for (const [field, max] of [
    ['locale', 35],
    ['timezone', 64],
    ['appVersion', 64],
  ] as const) {
    const v = value[field];
    if (v === undefined) continue;
    assert.ok(typeof v === 'string' && v.length >= 1 && v.length <= max, `${field}: ${v}`);
  }
  // Nothing is invented or dropped: the value is exactly the fields that were sent (a key holding
  // undefined, which JSON cannot carry, counts as absent).
  const sent = Object.entries(data as object).filter(([, v]) => v !== undefined);
  assert.deepEqual({ ...value }, Object.fromEntries(sent));
  assert.ok(jsonBytesUpTo(data, MAX_CALL_DATA_BYTES) <= MAX_CALL_DATA_BYTES);
}

describe('fuzz: parseRegisterTokenInput / parseUnregisterTokenInput', () => {
  it('when any value is sent to registerToken, then it is accepted valid or rejected with a named field', () => {
    let accepted = 0;
    fc.assert(
      fc.property(registerInputs, (data) => {
        const r = parseRegisterTokenInput(data);
        if (r.ok) {
          accepted++;
          assertValidRegistration(data, r.value);
        } else assertUsableRejection(r);
      }),
      fuzzParams(3000),
    );
    // The generators must reach the accepting branch too, or the property proves little.
    assert.ok(accepted > 100, `only ${accepted} inputs accepted`);
  });

  it('when any value is sent to unregisterToken, then it is accepted valid or rejected with a named field', () => {
    let accepted = 0;
    fc.assert(
      fc.property(unregisterInputs, (data) => {
        const r = parseUnregisterTokenInput(data);
        if (r.ok) {
          accepted++;
          assertValidToken(r.value.token);
          assert.deepEqual(r.value, { ...(data as object) });
        } else assertUsableRejection(r);
      }),
      fuzzParams(3000),
    );
    assert.ok(accepted > 100, `only ${accepted} inputs accepted`);
  });

  it('when data is serialized, then the size measure agrees with JSON.stringify up to the limit', () => {
    fc.assert(
      fc.property(fc.jsonValue({ maxDepth: 4 }), fc.integer({ min: 0, max: 400 }), (v, limit) => {
        const exact = Buffer.byteLength(JSON.stringify(v));
        const measured = jsonBytesUpTo(v, limit);
        if (exact <= limit) assert.equal(measured, exact);
        else assert.equal(measured, limit + 1);
      }),
      fuzzParams(2000),
    );
  });
});
