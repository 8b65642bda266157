/**
 * Scale: 10,000 due pushes drained by racing runs end with every push final and the FCM server's
 * record matching one-to-one (no loss, no duplicates).
 */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { createStores } from '../../../functions/src/adapters/stores';
import { drainDuePushes } from '../../../functions/src/use-cases/drain-pushes';
import { connectTestFirestore, type TestFirestore } from '../../support/emulated-firestore';
import { seedDuePushes } from '../../../tools/bench/seed-pushes';
import { startLocalFcm, type LocalFcm } from '../../../tools/local-google/local-fcm';

const N = 10_000;

describe('a 10,000-push drain', () => {
  let fs: TestFirestore;
  let fcm: LocalFcm;
  before(async () => {
    fs = connectTestFirestore();
    await fs.reset();
    fcm = await startLocalFcm({ concurrency: 100 });
  });
  after(async () => {
    await fcm.close();
    await fs.close();
  });

  it('when two drains race over 10,000 due pushes, then all end sent and FCM saw each exactly once', async () => {
    const stores = createStores(fs.db);
    const pushes = stores.pushes;
    const nowMs = Date.now();
    const ids = await seedDuePushes(pushes, N, nowMs);
    // Every 97th request fails once with 503: those pushes retry (a later run sends them).
    fcm.server.rules.add((req) =>
      req.n % 97 === 0 ? { kind: 'error', code: 'UNAVAILABLE', retryAfter: 1 } : undefined,
    );
    const deps = {
      ...stores,
      sender: fcm.sender,
      now: Date.now,
      random: Math.random,
    };
    const settings = {
      batchSize: 500,
      timeBudgetMs: 300_000,
      leaseMs: 120_000,
      leaseSafetyMs: 15_000,
      maxAttempts: 5,
      backoffBaseMs: 1,
      runId: '',
    };
    const reports = await Promise.all([
      drainDuePushes(deps, { ...settings, runId: 'a' }),
      drainDuePushes(deps, { ...settings, runId: 'b' }),
    ]);
    fcm.server.rules.clear();
    // Retries are due a second later; one more run picks them up.
    await new Promise((r) => setTimeout(r, 1100));
    const last = await drainDuePushes(deps, { ...settings, runId: 'c' });
    const sent = reports.reduce((s, r) => s + r.sent, 0) + last.sent;
    assert.equal(sent, N);

    const counts = fcm.acceptedByPushId();
    assert.equal(counts.size, N);
    assert.ok(
      [...counts.values()].every((c) => c === 1),
      'duplicate sends',
    );
    assert.ok(ids.every((id) => counts.has(id)));
    const notSent = await fs.db.collection('pushes').where('status', '!=', 'sent').count().get();
    assert.equal(notSent.data().count, 0);
  });
});
