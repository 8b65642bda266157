import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import {
  leaseSafetyMsFor,
  minimumLeaseMs,
  settingsFrom,
  DRAIN_TIMEOUT_SECONDS,
} from '../../../functions/src/config/settings';
import { DEFAULTS } from '../../../functions/src/config/defaults';

describe('leaseSafetyMsFor', () => {
  it('when a request may fetch a token and replay once after a 401, then 4 timeouts + 5 s are kept free before the lease end', () => {
    assert.equal(leaseSafetyMsFor(10_000), 45_000);
    assert.equal(leaseSafetyMsFor(1_000), 9_000);
  });
});

describe('minimumLeaseMs', () => {
  it('when the defaults are used (500 per page, 100 at once, 10 s timeout), then 95 s is the floor', () => {
    assert.equal(minimumLeaseMs(500, 100, 10_000), 5 * 10_000 + 45_000);
  });
  it('when concurrency is low, then the floor grows with the waves of requests a page needs', () => {
    assert.equal(minimumLeaseMs(500, 10, 10_000), 50 * 10_000 + 45_000);
  });
  it('when a page is not a whole number of waves, then the last partial wave counts', () => {
    assert.equal(minimumLeaseMs(101, 100, 2_000), 2 * 2_000 + leaseSafetyMsFor(2_000));
  });
});

describe('settingsFrom: lease', () => {
  it('when LEASE_SECONDS is above the floor, then it is used as is and the safety margin follows the timeout', () => {
    const s = settingsFrom(DEFAULTS);
    assert.equal(s.leaseMs, 120_000);
    assert.equal(s.leaseSafetyMs, 45_000);
    assert.ok(s.leaseMs > s.leaseSafetyMs);
  });
  it('when LEASE_SECONDS is below the floor, then the lease is raised to the floor', () => {
    const s = settingsFrom({ ...DEFAULTS, LEASE_SECONDS: 30, DRAIN_CONCURRENCY: 10 });
    assert.equal(s.leaseMs, minimumLeaseMs(500, 10, 10_000));
  });
  it('when the timeout grows, then the floor keeps room for a page plus the safety margin', () => {
    const s = settingsFrom({ ...DEFAULTS, FCM_TIMEOUT_MS: 60_000 });
    assert.equal(s.leaseSafetyMs, 245_000);
    assert.equal(s.leaseMs, 5 * 60_000 + 245_000);
  });
  it('when the budget plus the lease would outlast the drain function, then reading settings fails naming both', () => {
    assert.throws(
      () => settingsFrom({ ...DEFAULTS, DRAIN_TIME_BUDGET_SECONDS: 540, DRAIN_CONCURRENCY: 1 }),
      /DRAIN_TIME_BUDGET_SECONDS=540 plus the lease .* must fit in the drain's 1800 s timeout/,
    );
  });
  it('when the defaults are used, then a run fits in the drain function with room to spare', () => {
    const s = settingsFrom(DEFAULTS);
    assert.ok(s.drainTimeBudgetMs + s.leaseMs <= DRAIN_TIMEOUT_SECONDS * 1000);
  });
});
