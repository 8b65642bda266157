/**
 * A pipelined drain (shard workers): the next page is found and claimed while the current one is
 * sent, and the guarantees stay: every push sent once, results written; a page claimed late
 * (its lease nearly spent while it waited) goes back to pending unsent instead of overrunning.
 */
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { useQueueWorld } from '../../support/queue-world';

describe('pipelined drain (Firestore emulator + local FCM v1 server)', () => {
  // No manual clock: these drains run in real time (Date.now).
  const world = useQueueWorld({
    fcm: { timeoutMs: 5_000 },
    settings: { batchSize: 20, timeBudgetMs: 600_000, leaseMs: 120_000, pipeline: true },
  });

  it('when pipelined, then the next page is claimed while the current one is sent, and each push is sent once', async () => {
    const ids = await world.seed(100, `p${world.seq()}`);
    const events: string[] = [];
    let sending = 0;
    let claimsDuringSend = 0;
    const { claim } = world.deps.pushes;
    world.deps.pushes = {
      ...world.deps.pushes,
      claim: async (records, options) => {
        if (sending > 0) claimsDuringSend++;
        events.push('claim');
        return claim(records, options);
      },
    };
    const sender = world.deps.sender;
    world.deps.sender = {
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
    // Each send takes 150 ms, long enough for the next page's claim to start inside it even on a
    // loaded machine; a drain that claims only after sending never overlaps at all (0). CI under
    // heavy load saw 2 overlaps of the 4 possible with 50 ms, so one is what is required.
    world.fcm.server.setRttMs(150);
    const report = await world.drain();
    world.fcm.server.setRttMs(0);
    assert.equal(report.sent, 100);
    assert.equal(report.stoppedBy, 'empty');
    assert.ok(claimsDuringSend >= 1, `claims overlapped sends ${claimsDuringSend} times`);
    const counts = world.fcm.acceptedByPushId();
    assert.equal(counts.size, ids.length);
    assert.ok([...counts.values()].every((c) => c === 1));
  });

  it('when pipelined pages run on a lease shorter than a page’s sending, then nothing is sent twice and later runs send the rest', async () => {
    const ids = await world.seed(10, `late${world.seq()}`);
    // A lease that the first page's sending outlasts: the second page, claimed meanwhile, is
    // within its safety margin when its turn comes.
    world.fcm.server.setRttMs(400);
    const first = await world.drain({
      batchSize: 5,
      leaseMs: 600,
      leaseSafetyMs: 300,
      timeBudgetMs: 1,
    });
    world.fcm.server.setRttMs(0);
    assert.ok(first.leftForLater + first.deferred + first.sent >= 5);
    const second = await world.drain({ pipeline: false });
    await new Promise((r) => setTimeout(r, 700));
    const third = await world.drain({ pipeline: false });
    assert.equal(first.sent + second.sent + third.sent, 10);
    const counts = world.fcm.acceptedByPushId();
    assert.equal(counts.size, ids.length);
    assert.ok(
      [...counts.values()].every((c) => c === 1),
      'sent once',
    );
  });
});
