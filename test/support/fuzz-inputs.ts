/**
 * fast-check generators for what a client or a backend may send: arbitrary JSON-ish values, and
 * near-valid inputs (valid records with one field swapped for junk, extra keys, odd strings), so
 * properties reach the deep branches of the parsers and not only the "not an object" one.
 */
import fc from 'fast-check';
import { PLATFORMS } from '../../functions/src/core/token-registration';

/** Any value a JSON body, a Firestore document or a careless caller could produce. */
export const junk = (): fc.Arbitrary<unknown> =>
  fc.oneof(
    fc.anything({ maxDepth: 3, withNullPrototype: true, withBoxedValues: true }),
    fc.jsonValue({ maxDepth: 3 }),
    fc.string({ unit: 'binary', maxLength: 40 }),
    fc.constantFrom('', ' ', '\u0000', 'a b', '\n', '\u0085', 'x'.repeat(5000), '__proto__'),
    fc.constantFrom(0, -1, 1.5, Number.NaN, Number.POSITIVE_INFINITY, 2 ** 53, -0),
  );

/** Strings FCM tokens are made of, plus now and then a character they never contain. */
export const tokenLike = (): fc.Arbitrary<string> =>
  fc.oneof(
    { weight: 4, arbitrary: fc.stringMatching(/^[A-Za-z0-9:_-]{1,200}$/) },
    { weight: 1, arbitrary: fc.string({ unit: 'grapheme', minLength: 0, maxLength: 50 }) },
    { weight: 1, arbitrary: fc.constantFrom('x'.repeat(4096), 'x'.repeat(4097), 'é'.repeat(3000)) },
  );

/** A valid-looking record whose fields are each, independently, kept, dropped or replaced. */
export function nearValid(
  valid: fc.Arbitrary<Record<string, unknown>>,
): fc.Arbitrary<Record<string, unknown>> {
  return fc
    .tuple(
      valid,
      fc.dictionary(fc.string({ maxLength: 12 }), junk(), { maxKeys: 2 }),
      fc.array(fc.tuple(fc.nat(), fc.constantFrom('drop', 'junk')), { maxLength: 2 }),
      fc.array(junk(), { minLength: 2, maxLength: 2 }),
    )
    .map(([base, extra, edits, junks]) => {
      const out: Record<string, unknown> = { ...base };
      const keys = Object.keys(base);
      edits.forEach(([i, edit], n) => {
        const key = keys[i % Math.max(keys.length, 1)];
        if (key === undefined) return;
        if (edit === 'drop') delete out[key];
        else out[key] = junks[n];
      });
      return { ...out, ...extra };
    });
}

/** A rejection is usable by a developer: a non-empty field, named in the message. */
export function assertUsableRejection(r: { field: string; message: string }): void {
  if (typeof r.field !== 'string' || r.field.length === 0) {
    throw new Error(`rejection without a field: ${JSON.stringify(r)}`);
  }
  const named = r.field.replace(/^\((.*)\)$/, '$1');
  if (typeof r.message !== 'string' || !r.message.includes(named)) {
    throw new Error(`rejection message does not name its field: ${JSON.stringify(r)}`);
  }
}

/** fast-check settings shared by the fuzz tests: seeded from FUZZ_SEED when given. */
export function fuzzParams(numRuns: number): fc.Parameters<unknown> {
  const seed = process.env.FUZZ_SEED ? Number(process.env.FUZZ_SEED) : undefined;
  return { numRuns, ...(seed !== undefined ? { seed } : {}) };
}

// Valid values only: nearValid() swaps fields for junk, so both sides are well covered.
export const validRegister = fc.record(
  {
    token: tokenLike(),
    platform: fc.constantFrom(...PLATFORMS),
    locale: fc.constantFrom('en', 'en-US', 'ko_KR', 'zh-Hant-TW', 'es-419'),
    timezone: fc.constantFrom('Asia/Seoul', 'UTC', 'America/New_York', 'Europe/Berlin'),
    appVersion: fc.string({ minLength: 1, maxLength: 64 }),
  },
  { requiredKeys: ['token', 'platform'] },
);

export const registerInputs = fc.oneof(junk(), nearValid(validRegister), validRegister);
export const unregisterInputs = fc.oneof(
  junk(),
  nearValid(fc.record({ token: tokenLike() })),
  fc.record({ token: tokenLike() }),
);

// Valid values only: nearValid() below swaps fields for junk, so both sides are well covered.
const target = fc.oneof(
  fc.record({ uid: fc.string({ minLength: 1, maxLength: 30 }) }),
  fc.record({ token: fc.string({ minLength: 1, maxLength: 30 }) }),
  fc.record({ topic: fc.constantFrom('news', '/topics/news', 'a-b_c.d~e%f') }),
  fc.record({ condition: fc.constantFrom("'a' in topics", "'a' in topics && 'b' in topics") }),
);
const T0 = Date.parse('2030-01-01T00:00:00Z');

export const validRequest = fc
  .record(
    {
      to: target,
      title: fc.string({ maxLength: 40 }),
      content: fc.string({ maxLength: 40 }),
      data: fc.dictionary(fc.string({ maxLength: 8 }), fc.string({ maxLength: 8 })),
      reservedAt: fc.oneof(
        fc.date({ min: new Date(T0), max: new Date(T0 + 86_400_000), noInvalidDate: true }),
        fc.integer({ min: T0, max: T0 + 86_400_000 }),
        fc.constant('2030-01-01T00:00:00Z'),
      ),
      key: fc.string({ maxLength: 256 }),
      collapseKey: fc.string({ maxLength: 64 }),
      ttlSeconds: fc.integer({ min: 0, max: 2_419_200 }),
      priority: fc.constantFrom('normal', 'high'),
      android: fc.object({ maxDepth: 1 }),
      apns: fc.object({ maxDepth: 1 }),
      webpush: fc.object({ maxDepth: 1 }),
    },
    { requiredKeys: ['to'] },
  )
  .chain((r) =>
    // expiresAt after reservedAt (or any time when there is none), and a non-empty push.
    fc.record({ later: fc.integer({ min: 1, max: 86_400_000 }), title: fc.string() }).map((x) => ({
      ...r,
      title: r.title ?? x.title,
      expiresAt: new Date(T0 + 86_400_000 + x.later),
    })),
  );

export const pushRequestInputs = fc.oneof(junk(), nearValid(validRequest), validRequest);
