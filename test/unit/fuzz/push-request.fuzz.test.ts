/**
 * Property tests over outbox documents and check output (parsePushRequest): never a throw, an
 * accepted request keeps every rule of the queue, a rejection names its field (with its path).
 */
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { parsePushRequest, PUSH_REQUEST_FIELDS } from '../../../functions/src/core/push-request';
import { assertUsableRejection, fuzzParams, pushRequestInputs } from '../../support/fuzz-inputs';

describe('fuzz: parsePushRequest (outbox documents and check output)', () => {
  for (const path of ['', 'requests[3].']) {
    it(`when any value is parsed with path "${path}", then it is a valid request or a rejection naming the field`, () => {
      let accepted = 0;
      fc.assert(
        fc.property(pushRequestInputs, (value) => {
          const r = parsePushRequest(value, path);
          if (!r.ok) {
            assertUsableRejection(r);
            assert.ok(r.field.startsWith(path) || r.field === '(request)', r.field);
            return;
          }
          accepted++;
          const req = r.value;
          const targetKeys = Object.keys(req.to);
          assert.equal(targetKeys.length, 1);
          const t = (req.to as Record<string, unknown>)[targetKeys[0]!];
          assert.ok(typeof t === 'string' && t.length > 0 && t.length <= 4096);
          assert.ok(req.title !== undefined || req.content !== undefined || req.data !== undefined);
          for (const v of Object.values(req.data ?? {})) assert.equal(typeof v, 'string');
          for (const ms of [req.reservedAtMs, req.expiresAtMs]) {
            if (ms !== undefined) assert.ok(Number.isFinite(ms));
          }
          if (req.reservedAtMs !== undefined && req.expiresAtMs !== undefined) {
            assert.ok(req.expiresAtMs > req.reservedAtMs);
          }
          if (req.ttlSeconds !== undefined) {
            assert.ok(Number.isInteger(req.ttlSeconds) && req.ttlSeconds >= 0);
          }
          if (req.priority !== undefined) assert.ok(['normal', 'high'].includes(req.priority));
          for (const k of Object.keys(value as object)) {
            assert.ok((PUSH_REQUEST_FIELDS as readonly string[]).includes(k), k);
          }
        }),
        fuzzParams(3000),
      );
      assert.ok(accepted > 100, `only ${accepted} inputs accepted`);
    });
  }
});
