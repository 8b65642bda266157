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
  type RegistrationWarning,
} from '../../../functions/src/core/token-registration';
import { normaliseLocale, normaliseTimeZone } from '../../../functions/src/core/locale';
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

function assertValidRegistration(
  data: unknown,
  value: RegisterTokenInput,
  warnings: RegistrationWarning[],
): void {
  assertValidToken(value.token);
  assert.ok((PLATFORMS as readonly string[]).includes(value.platform));
  for (const [field, max] of [
    ['locale', 64],
    ['timezone', 64],
    ['appVersion', 64],
  ] as const) {
    const v = value[field];
    if (v === undefined) continue;
    assert.ok(typeof v === 'string' && v.length >= 1 && v.length <= max, `${field}: ${v}`);
  }
  // Saved values are canonical (normalising them again changes nothing).
  if (value.locale !== undefined) assert.equal(normaliseLocale(value.locale).ok, true);
  if (value.timezone !== undefined) assert.equal(normaliseTimeZone(value.timezone).ok, true);
  // Nothing is invented and nothing disappears silently: every field sent (a key holding undefined
  // or null counts as absent) is either saved, possibly normalised, or named in a warning.
  const sent = Object.entries(data as object).filter(([, v]) => v !== undefined && v !== null);
  // Warnings name the empty key as "" (a field must be visible).
  const warned = new Set(warnings.map((w) => (w.field === '""' ? '' : w.field)));
  for (const key of Object.keys(value))
    assert.ok(
      sent.some(([k]) => k === key),
      key,
    );
  const unknownCount = sent.filter(([k]) => !(k in value) && !warned.has(k)).length;
  for (const [key] of sent) {
    if (key in value || warned.has(key)) continue;
    // Only unknown fields beyond the five named ones may be counted in one '(data)' warning.
    assert.ok(warned.has('(data)') && unknownCount > 0, `field ${key} vanished`);
  }
  assert.ok(jsonBytesUpTo(data, MAX_CALL_DATA_BYTES) <= MAX_CALL_DATA_BYTES);
}

/**
 * Over 3,000 generated inputs: each is accepted (and `assertValid` holds of it) or rejected with a
 * usable, named field; more than 100 are accepted.
 */
function assertAcceptedOrNamed<R extends { ok: true }>(
  inputs: fc.Arbitrary<unknown>,
  parse: (data: unknown) => R | { ok: false; field: string; message: string },
  assertValid: (data: unknown, accepted: R) => void,
): void {
  let accepted = 0;
  fc.assert(
    fc.property(inputs, (data) => {
      const r = parse(data);
      if (r.ok) {
        accepted++;
        assertValid(data, r as R);
      } else assertUsableRejection(r as { ok: false; field: string; message: string });
    }),
    fuzzParams(3000),
  );
  // The generators must reach the accepting branch too, or the property proves little.
  assert.ok(accepted > 100, `only ${accepted} inputs accepted`);
}

describe('fuzz: parseRegisterTokenInput / parseUnregisterTokenInput', () => {
  it('when any value is sent to registerToken, then it is accepted valid or rejected with a named field', () => {
    assertAcceptedOrNamed(registerInputs, parseRegisterTokenInput, (data, r) =>
      assertValidRegistration(data, r.value, r.warnings),
    );
  });

  it('when any value is sent to unregisterToken, then it is accepted valid or rejected with a named field', () => {
    assertAcceptedOrNamed(unregisterInputs, parseUnregisterTokenInput, (data, r) => {
      assertValidToken(r.value.token);
      assert.deepEqual(r.value, { ...(data as object) });
    });
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
