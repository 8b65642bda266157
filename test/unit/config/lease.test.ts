import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { minimumLeaseMs } from '../../../functions/src/config/params';

describe('minimumLeaseMs', () => {
  it('when the defaults are used (500 per page, 100 at once, 10 s timeout), then 65 s is the floor', () => {
    assert.equal(minimumLeaseMs(500, 100, 10_000), 65_000);
  });
  it('when concurrency is low, then the floor grows with the waves of requests a page needs', () => {
    assert.equal(minimumLeaseMs(500, 10, 10_000), 50 * 10_000 + 15_000);
  });
});
