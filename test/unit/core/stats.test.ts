import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import {
  STATS_SHARDS,
  combineBacklog,
  count,
  emptyIncrement,
  isEmptyIncrement,
  mergeIncrements,
  minuteDocId,
  minuteKey,
  minuteStartMs,
  outcomesIncrement,
  statsShardOf,
} from '../../../functions/src/core/stats';

describe('statistics minute ids', () => {
  it('when given a time, then the minute key is its UTC minute as YYYYMMDDHHmm', () => {
    const ms = Date.parse('2026-11-28T05:12:59.999Z');
    assert.equal(minuteKey(ms), '202611280512');
    assert.equal(minuteStartMs(ms), Date.parse('2026-11-28T05:12:00Z'));
    assert.equal(minuteDocId(ms, 3), '202611280512_3');
    assert.equal(minuteKey(Date.parse('2030-01-01T00:00:00Z')), '203001010000');
  });
  it('when a random number picks a shard, then it is in [0, STATS_SHARDS)', () => {
    assert.equal(statsShardOf(0), 0);
    assert.equal(statsShardOf(0.999999), STATS_SHARDS - 1);
    assert.equal(statsShardOf(1), STATS_SHARDS - 1);
    assert.equal(statsShardOf(0.5), 4);
  });
});

describe('statistics increments', () => {
  it('when outcomes are counted, then final statuses count and failure codes are kept', () => {
    const inc = outcomesIncrement([
      { status: 'sent' },
      { status: 'sent' },
      { status: 'rejected', code: 'UNREGISTERED' },
      { status: 'failed', code: 'INTERNAL' },
      { status: 'expired', code: 'EXPIRED' },
      { status: 'suppressed', code: 'OPTED_OUT:marketing' },
      { status: 'pending', code: 'UNAVAILABLE' },
      { status: 'expanded' },
      { status: 'undeliverable', code: 'NO_DEVICES' },
    ]);
    assert.deepEqual(inc.counts, {
      sent: 2,
      rejected: 1,
      failed: 1,
      expired: 1,
      suppressed: 1,
      undeliverable: 1,
    });
    // A suppressed push is a user's choice, not a failure; a retry scheduled is no outcome.
    assert.deepEqual(inc.codes, { UNREGISTERED: 1, INTERNAL: 1, EXPIRED: 1, NO_DEVICES: 1 });
  });
  it('when increments are merged, then counters and codes add up', () => {
    const a = emptyIncrement();
    count(a, 'cancelled', 2, 'DEVICE_NOT_OWNED');
    count(a, 'queued', 3);
    const b = outcomesIncrement([{ status: 'cancelled', code: 'DEVICE_NOT_OWNED' }]);
    assert.deepEqual(mergeIncrements(a, b), {
      counts: { cancelled: 3, queued: 3 },
      codes: { DEVICE_NOT_OWNED: 3 },
    });
  });
  it('when nothing was counted, then the increment is empty (no write)', () => {
    const inc = emptyIncrement();
    count(inc, 'sent', 0);
    assert.equal(isEmptyIncrement(inc), true);
    count(inc, 'retried');
    assert.equal(isEmptyIncrement(inc), false);
  });
});

describe('overview backlog', () => {
  it('when both collections have due documents, then counts add and the oldest wins', () => {
    assert.deepEqual(
      combineBacklog([
        { due: 2, oldestDueAtMs: 500 },
        { due: 3, oldestDueAtMs: 200 },
      ]),
      { dueBacklog: 5, oldestDueAtMs: 200 },
    );
    assert.deepEqual(combineBacklog([{ due: 0, oldestDueAtMs: null }]), {
      dueBacklog: 0,
      oldestDueAtMs: null,
    });
  });
});
