/**
 * The shared BulkWriter against the Firestore emulator: writes that fail for good come back at
 * once (one attempt) with their real gRPC code, the others still land, and flush() reports the
 * first failure a write's own handler did not absorb.
 */
import { after, before, beforeEach, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import type { BulkWriterError } from '@google-cloud/firestore';
import { Timestamp } from 'firebase-admin/firestore';
import { GRPC, createBulkWriter, flush } from '../../../functions/src/adapters/bulk-writes';
import { connectTestFirestore, type TestFirestore } from '../../support/emulated-firestore';

describe('createBulkWriter and flush (Firestore emulator)', () => {
  let fs: TestFirestore;
  before(() => {
    fs = connectTestFirestore();
  });
  beforeEach(() => fs.reset());
  after(() => fs.close());

  const col = () => fs.db.collection('bulkWriteTest');
  const failure = (p: Promise<unknown>) =>
    p.then(
      () => assert.fail('expected the write to fail'),
      (err: BulkWriterError) => ({ code: err.code, failedAttempts: err.failedAttempts }),
    );

  it('when writes fail for good, then each fails after one attempt with its code and the rest land', async () => {
    await col().doc('exists').set({ n: 1 });
    const stale = Timestamp.fromMillis(Date.parse('2000-01-01T00:00:00Z'));
    const w = createBulkWriter(fs.db);
    const created = failure(w.create(col().doc('exists'), { n: 2 }));
    const missing = failure(w.update(col().doc('missing'), { n: 1 }));
    const changed = failure(w.update(col().doc('exists'), { n: 3 }, { lastUpdateTime: stale }));
    const landed = w.set(col().doc('new'), { n: 1 });
    await w.close();
    assert.deepEqual(await created, { code: GRPC.ALREADY_EXISTS, failedAttempts: 1 });
    assert.deepEqual(await missing, { code: GRPC.NOT_FOUND, failedAttempts: 1 });
    assert.deepEqual(await changed, { code: GRPC.FAILED_PRECONDITION, failedAttempts: 1 });
    await landed;
    assert.equal((await col().doc('exists').get()).get('n'), 1);
    assert.equal((await col().doc('new').get()).get('n'), 1);
  });

  it('when a write fails and its handler does not absorb it, then flush throws it after the others landed', async () => {
    await col().doc('exists').set({ n: 1 });
    const w = createBulkWriter(fs.db);
    const writes = [
      w.create(col().doc('exists'), { n: 2 }),
      w.set(col().doc('a'), { n: 1 }),
      w.set(col().doc('b'), { n: 1 }),
    ];
    await assert.rejects(
      flush(w, writes),
      (err: BulkWriterError) => err.code === GRPC.ALREADY_EXISTS,
    );
    assert.equal((await col().get()).size, 3);
  });

  it('when every failure is absorbed by its write, then flush resolves', async () => {
    await col().doc('exists').set({ n: 1 });
    const w = createBulkWriter(fs.db);
    let alreadyThere = 0;
    const writes = ['exists', 'fresh'].map((id) =>
      w.create(col().doc(id), { n: 2 }).catch((err: BulkWriterError) => {
        if (err.code !== GRPC.ALREADY_EXISTS) throw err;
        alreadyThere++;
      }),
    );
    await flush(w, writes);
    assert.equal(alreadyThere, 1);
  });
});
