import { after, before, beforeEach, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { Timestamp } from 'firebase-admin/firestore';
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
});
