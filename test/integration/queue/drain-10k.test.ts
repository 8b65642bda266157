/**
 * Scale: 10,000 due pushes drained by racing runs end with every push final and the FCM server's
 * record matching one-to-one (no loss, no duplicates).
 */
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { drainDuePushes } from '../../../functions/src/use-cases/drain-pushes';
import { useQueueWorld } from '../../support/queue-world';

const N = 10_000;

describe('a 10,000-push drain', () => {
  // No manual clock: real time (Date.now).
  const world = useQueueWorld({
    fcm: { concurrency: 100 },
    settings: {
      batchSize: 500,
      timeBudgetMs: 300_000,
      leaseMs: 120_000,
      leaseSafetyMs: 15_000,
      maxAttempts: 5,
      backoffBaseMs: 1,
    },
  });

  it('when two drains race over 10,000 due pushes, then all end sent and FCM saw each exactly once', async () => {
    const { fcm, fs } = world;
    const ids = await world.seed(N, 'seed');
    // Every 97th request fails once with 503: those pushes retry (a later run sends them).
    fcm.server.rules.add((req) =>
      req.n % 97 === 0 ? { kind: 'error', code: 'UNAVAILABLE', retryAfter: 1 } : undefined,
    );
    const deps = { ...world.deps, random: Math.random };
    const reports = await Promise.all([
      drainDuePushes(deps, world.settings({ runId: 'a' })),
      drainDuePushes(deps, world.settings({ runId: 'b' })),
    ]);
    fcm.server.rules.clear();
    // Retries are due a second later; one more run picks them up.
    await new Promise((r) => setTimeout(r, 1100));
    const last = await drainDuePushes(deps, world.settings({ runId: 'c' }));
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
