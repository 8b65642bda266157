import { after, before, beforeEach, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { Query, Timestamp } from 'firebase-admin/firestore';
import { createTokenStore } from '../../../functions/src/adapters/token-store';
import { pruneStaleTokens } from '../../../functions/src/use-cases/prune-stale-tokens';
import { connectTestFirestore, type TestFirestore } from '../../support/emulated-firestore';

describe('pruneStaleTokens (Firestore emulator)', () => {
  let fs: TestFirestore;
  const DAY = 86_400_000;
  const NOW = Date.parse('2030-06-01T00:00:00Z');
  before(() => {
    fs = connectTestFirestore();
  });
  beforeEach(() => fs.reset());
  after(() => fs.close());

  async function seed(count: number, ageDays: number, prefix: string) {
    const w = fs.db.bulkWriter();
    for (let i = 0; i < count; i++) {
      void w.set(fs.db.collection('pushTokens').doc(`${prefix}-${i}`), {
        uid: 'u',
        token: `${prefix}-${i}`,
        platform: 'android',
        updatedAt: Timestamp.fromMillis(NOW - ageDays * DAY),
      });
    }
    await w.close();
  }

  it('when tokens are older than the limit, then they are deleted in pages and fresh ones stay', async () => {
    await seed(23, 61, 'stale');
    await seed(5, 59, 'fresh');
    const result = await pruneStaleTokens(
      { tokens: createTokenStore(fs.db), now: () => NOW },
      { staleTokenDays: 60, pageSize: 10 },
    );
    assert.deepEqual(result, { deleted: 23, complete: true });
    const left = await fs.db.collection('pushTokens').get();
    assert.deepEqual(
      left.docs.map((d) => d.id.split('-')[0]),
      Array(5).fill('fresh'),
    );
  });

  it('when nothing is stale, then nothing is deleted', async () => {
    await seed(3, 1, 'fresh');
    const result = await pruneStaleTokens(
      { tokens: createTokenStore(fs.db), now: () => NOW },
      { staleTokenDays: 60 },
    );
    assert.deepEqual(result, { deleted: 0, complete: true });
  });

  /**
   * Runs `between` right after the next query read and before anything else sees its result: the
   * window between pruning's query and its deletes, where the app may refresh a token.
   */
  async function withWriteAfterNextRead<T>(
    between: () => Promise<unknown>,
    body: () => Promise<T>,
  ): Promise<T> {
    const original = Query.prototype.get;
    let fired = false;
    Query.prototype.get = async function (this: Query) {
      const snap = await original.call(this);
      if (!fired) {
        fired = true;
        await between();
      }
      return snap;
    } as typeof original;
    try {
      return await body();
    } finally {
      Query.prototype.get = original;
    }
  }

  it('when a token is refreshed between the query and the delete, then it survives and is not counted', async () => {
    await seed(5, 61, 'stale');
    const refreshed = fs.db.collection('pushTokens').doc('stale-2');
    const deleted = await withWriteAfterNextRead(
      () => refreshed.update({ updatedAt: Timestamp.fromMillis(NOW) }),
      () => createTokenStore(fs.db).deleteStale(NOW - 60 * DAY, 10),
    );
    assert.equal(deleted, 4);
    const left = await fs.db.collection('pushTokens').get();
    assert.deepEqual(
      left.docs.map((d) => d.id),
      ['stale-2'],
    );
    assert.equal((left.docs[0]!.get('updatedAt') as Timestamp).toMillis(), NOW);
  });

  it('when a token is unregistered between the query and the delete, then pruning goes on and does not count it', async () => {
    await seed(3, 61, 'stale');
    const deleted = await withWriteAfterNextRead(
      async () => void (await fs.db.collection('pushTokens').doc('stale-0').delete()),
      () => createTokenStore(fs.db).deleteStale(NOW - 60 * DAY, 10),
    );
    assert.equal(deleted, 2);
    assert.equal((await fs.db.collection('pushTokens').get()).size, 0);
  });

  it('when a token is refreshed while pruneStaleTokens runs, then the run reports only what it deleted', async () => {
    await seed(4, 61, 'stale');
    const result = await withWriteAfterNextRead(
      () =>
        fs.db
          .collection('pushTokens')
          .doc('stale-3')
          .update({ updatedAt: Timestamp.fromMillis(NOW) }),
      () =>
        pruneStaleTokens(
          { tokens: createTokenStore(fs.db), now: () => NOW },
          { staleTokenDays: 60, pageSize: 10 },
        ),
    );
    assert.deepEqual(result, { deleted: 3, complete: true });
    assert.ok((await fs.db.collection('pushTokens').doc('stale-3').get()).exists);
  });
});
