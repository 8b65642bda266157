/**
 * A pipelined drain (shard workers): the next page is found and claimed while the current one is
 * sent, and the guarantees stay: every push sent once, results written; a page claimed late
 * (its lease nearly spent while it waited) goes back to pending unsent instead of overrunning.
 */
import { after, before, beforeEach, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { createStores } from '../../../functions/src/adapters/stores';
import {
  drainDuePushes,
  type DrainDeps,
  type DrainSettings,
} from '../../../functions/src/use-cases/drain-pushes';
import { seedDuePushes } from '../../../tools/bench/seed-pushes';
import { startLocalFcm, type LocalFcm } from '../../../tools/local-google/local-fcm';
import { connectTestFirestore, type TestFirestore } from '../../support/emulated-firestore';

describe('pipelined drain (Firestore emulator + local FCM v1 server)', () => {
  let fs: TestFirestore;
  let fcm: LocalFcm;
  let deps: DrainDeps & ReturnType<typeof createStores>;
  let n = 0;
  const settings = (over: Partial<DrainSettings> = {}): DrainSettings => ({
    batchSize: 20,
    timeBudgetMs: 600_000,
    leaseMs: 120_000,
    leaseSafetyMs: 5_000,
    maxAttempts: 3,
    backoffBaseMs: 10_000,
    runId: `pipe-${n++}`,
    pipeline: true,
    ...over,
  });

  before(async () => {
    fs = connectTestFirestore();
    fcm = await startLocalFcm({ timeoutMs: 5_000 });
  });
  beforeEach(async () => {
    await fs.reset();
    fcm.server.rules.clear();
    fcm.server.accepted.length = 0;
    deps = { ...createStores(fs.db), sender: fcm.sender, now: Date.now, random: () => 0.5 };
  });
  after(async () => {
    await fcm.close();
    await fs.close();
  });

  it('when pipelined, then the next page is claimed while the current one is sent, and each push is sent once', async () => {
    const ids = await seedDuePushes(deps.pushes, 100, Date.now(), `p${n++}`);
    const events: string[] = [];
    let sending = 0;
    let claimsDuringSend = 0;
    const { claim } = deps.pushes;
    deps.pushes = {
      ...deps.pushes,
      claim: async (records, options) => {
        if (sending > 0) claimsDuringSend++;
        events.push('claim');
        return claim(records, options);
      },
    };
    const sender = deps.sender;
    deps.sender = {
      ...sender,
      async sendAll(messages, options) {
        sending++;
        try {
          return await sender.sendAll(messages, options);
        } finally {
          sending--;
        }
      },
    };
    fcm.server.setRttMs(50);
    const report = await drainDuePushes(deps, settings());
    fcm.server.setRttMs(0);
    assert.equal(report.sent, 100);
    assert.equal(report.stoppedBy, 'empty');
    assert.ok(claimsDuringSend >= 3, `claims overlapped sends ${claimsDuringSend} times`);
    const counts = fcm.acceptedByPushId();
    assert.equal(counts.size, ids.length);
    assert.ok([...counts.values()].every((c) => c === 1));
  });

  it('when pipelined pages run on a lease shorter than a page’s sending, then nothing is sent twice and later runs send the rest', async () => {
    const ids = await seedDuePushes(deps.pushes, 10, Date.now(), `late${n++}`);
    // A lease that the first page's sending outlasts: the second page, claimed meanwhile, is
    // within its safety margin when its turn comes.
    fcm.server.setRttMs(400);
    const first = await drainDuePushes(
      deps,
      settings({ batchSize: 5, leaseMs: 600, leaseSafetyMs: 300, timeBudgetMs: 1 }),
    );
    fcm.server.setRttMs(0);
    assert.ok(first.leftForLater + first.deferred + first.sent >= 5);
    const second = await drainDuePushes(deps, settings({ pipeline: false }));
    await new Promise((r) => setTimeout(r, 700));
    const third = await drainDuePushes(deps, settings({ pipeline: false }));
    assert.equal(first.sent + second.sent + third.sent, 10);
    const counts = fcm.acceptedByPushId();
    assert.equal(counts.size, ids.length);
    assert.ok(
      [...counts.values()].every((c) => c === 1),
      'sent once',
    );
  });
});
