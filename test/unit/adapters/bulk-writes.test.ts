/**
 * The shared BulkWriter retries exactly what @google-cloud/firestore's default BulkWriter policy
 * retries: compared here, code by code and attempt by attempt, with the installed library's own
 * default handler, so a library upgrade that changes the default fails this test.
 */
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { Firestore } from '@google-cloud/firestore';
import {
  GRPC,
  MAX_WRITE_ATTEMPTS,
  shouldRetryWrite,
  type FailedWrite,
} from '../../../functions/src/adapters/bulk-writes';

const OPERATIONS: Array<FailedWrite['operationType']> = ['create', 'set', 'update', 'delete'];

/** The library's default error handler, taken from a fresh BulkWriter (no request is made). */
async function libraryDefault(): Promise<(err: FailedWrite) => boolean> {
  const db = new Firestore({ projectId: 'demo-unit' });
  const w = db.bulkWriter();
  const fn = (w as unknown as { _errorFn: (err: FailedWrite) => boolean })._errorFn;
  await w.close();
  await db.terminate();
  assert.equal(typeof fn, 'function', 'BulkWriter._errorFn not found: the library changed');
  return fn;
}

describe('shouldRetryWrite', () => {
  it('when any gRPC code fails any operation on any attempt, then it decides as the library default does', async () => {
    const expected = await libraryDefault();
    for (let code = 0; code <= 16; code++) {
      for (const operationType of OPERATIONS) {
        for (let failedAttempts = 1; failedAttempts <= MAX_WRITE_ATTEMPTS + 1; failedAttempts++) {
          const err = { code, operationType, failedAttempts };
          assert.equal(
            shouldRetryWrite(err),
            expected(err),
            `code ${code}, ${operationType}, attempt ${failedAttempts}`,
          );
        }
      }
    }
  });

  it('when a write fails for good (exists, precondition, not found, invalid, denied), then it is never retried', () => {
    for (const code of [
      GRPC.ALREADY_EXISTS,
      GRPC.FAILED_PRECONDITION,
      GRPC.NOT_FOUND,
      GRPC.INVALID_ARGUMENT,
      GRPC.PERMISSION_DENIED,
    ]) {
      for (const operationType of OPERATIONS)
        assert.equal(shouldRetryWrite({ code, operationType, failedAttempts: 1 }), false);
    }
  });

  it('when the server is busy or unavailable, then the write is retried until 10 attempts', () => {
    for (const code of [GRPC.UNAVAILABLE, GRPC.RESOURCE_EXHAUSTED, GRPC.ABORTED]) {
      assert.equal(shouldRetryWrite({ code, operationType: 'update', failedAttempts: 9 }), true);
      assert.equal(shouldRetryWrite({ code, operationType: 'update', failedAttempts: 10 }), false);
    }
    assert.equal(
      shouldRetryWrite({ code: GRPC.INTERNAL, operationType: 'delete', failedAttempts: 1 }),
      true,
    );
    assert.equal(
      shouldRetryWrite({ code: GRPC.INTERNAL, operationType: 'update', failedAttempts: 1 }),
      false,
    );
  });

  it('when fewer attempts are asked for, then the limit is lowered, never raised', () => {
    const busy = { code: GRPC.UNAVAILABLE, operationType: 'set' as const };
    assert.equal(shouldRetryWrite({ ...busy, failedAttempts: 2 }, 3), true);
    assert.equal(shouldRetryWrite({ ...busy, failedAttempts: 3 }, 3), false);
    assert.equal(shouldRetryWrite({ ...busy, failedAttempts: 10 }, 50), false);
  });
});
