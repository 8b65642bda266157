/**
 * recordStats: on the check path (pendingStats set) a statistics write is started and collected,
 * not awaited, so it never delays the pushes due now; elsewhere it is awaited. Never rejects.
 */
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { count, emptyIncrement } from '../../../functions/src/core/stats';
import type { StatsStore } from '../../../functions/src/use-cases/ports';
import { recordStats } from '../../../functions/src/use-cases/stats';

/** A statistics store whose writes finish only when released (or fail when told). */
function heldStore(fail = false) {
  const written: number[] = [];
  let release: () => void = () => undefined;
  const held = new Promise<void>((resolve) => {
    release = resolve;
  });
  const stats: StatsStore = {
    add: async (increment) => {
      await held;
      if (fail) throw new Error('injected: stats write failed');
      written.push(increment.counts.queued ?? 0);
    },
  };
  return { stats, written, release };
}

const queuedOne = () => {
  const inc = emptyIncrement();
  count(inc, 'queued', 1);
  return inc;
};

describe('recordStats', () => {
  it('when pendingStats is set, then it returns before the write finishes and the write is collected', async () => {
    const store = heldStore();
    const pendingStats: Array<Promise<void>> = [];
    await recordStats({ stats: store.stats, pendingStats }, queuedOne(), 0);
    assert.equal(pendingStats.length, 1);
    assert.deepEqual(store.written, [], 'not written yet: the caller did not wait for it');
    store.release();
    await Promise.all(pendingStats);
    assert.deepEqual(store.written, [1]);
  });

  it('when pendingStats is not set, then it waits for the write', async () => {
    const store = heldStore();
    let done = false;
    const recorded = recordStats({ stats: store.stats }, queuedOne(), 0).then(() => {
      done = true;
    });
    await new Promise((r) => setTimeout(r, 20));
    assert.equal(done, false);
    store.release();
    await recorded;
    assert.deepEqual(store.written, [1]);
  });

  it('when a collected write fails, then the failure is reported and the collected promise resolves', async () => {
    const store = heldStore(true);
    const errors: string[] = [];
    const pendingStats: Array<Promise<void>> = [];
    await recordStats(
      { stats: store.stats, pendingStats, onStatsError: (e) => errors.push(e) },
      queuedOne(),
      0,
    );
    store.release();
    await Promise.all(pendingStats);
    assert.deepEqual(errors, ['injected: stats write failed']);
  });

  it('when the increment is empty, then nothing is written or collected', async () => {
    const store = heldStore();
    const pendingStats: Array<Promise<void>> = [];
    await recordStats({ stats: store.stats, pendingStats }, emptyIncrement(), 0);
    assert.equal(pendingStats.length, 0);
  });
});
