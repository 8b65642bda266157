/**
 * Deploy-time options that guarantees rest on, read from the functions' own endpoint
 * declarations (what firebase-tools deploys), and the event-age rule of retried triggers.
 */
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { orderShipped } from '../../../functions/src/checks/order-shipped';
import { checkTrigger } from '../../../functions/src/edge/check-trigger';
import { checkPushRequest } from '../../../functions/src/triggers/check-push-request';
import { drainReservedPushes } from '../../../functions/src/triggers/drain-reserved-pushes';
import { drainShard } from '../../../functions/src/triggers/drain-shard';
import { tooOldToHandle } from '../../../functions/src/edge/event-age';
import { DRAIN_TIMEOUT_SECONDS } from '../../../functions/src/config/settings';

interface Endpoint {
  eventTrigger?: { retry?: unknown };
  taskQueueTrigger?: {
    rateLimits?: { maxConcurrentDispatches?: unknown; maxDispatchesPerSecond?: unknown };
    retryConfig?: { maxAttempts?: unknown };
  };
  concurrency?: unknown;
  timeoutSeconds?: unknown;
}
const endpointOf = (fn: unknown) => (fn as { __endpoint: Endpoint }).__endpoint;

describe('trigger options', () => {
  it('when a check trigger is deployed, then it retries failed events (retry: true)', () => {
    assert.equal(endpointOf(checkTrigger(orderShipped)).eventTrigger?.retry, true);
  });

  it('when the outbox trigger is deployed, then it retries failed events (retry: true)', () => {
    assert.equal(endpointOf(checkPushRequest).eventTrigger?.retry, true);
  });

  it('when the drain is deployed, then one run per instance and the timeout that settings are checked against', () => {
    const e = endpointOf(drainReservedPushes);
    assert.equal(e.concurrency, 1);
    assert.equal(e.timeoutSeconds, DRAIN_TIMEOUT_SECONDS);
  });

  it('when the shard worker is deployed, then one worker per instance, the drain timeout, and SHARD_WORKERS at once', () => {
    const e = endpointOf(drainShard);
    assert.equal(e.concurrency, 1);
    assert.equal(e.timeoutSeconds, DRAIN_TIMEOUT_SECONDS);
    const limit = e.taskQueueTrigger?.rateLimits?.maxConcurrentDispatches as { name?: string };
    assert.equal(limit?.name, 'SHARD_WORKERS', 'a param, resolved at deploy');
    assert.ok(e.taskQueueTrigger?.retryConfig?.maxAttempts);
  });
});

describe('tooOldToHandle', () => {
  const event = { id: 'e1', time: '2030-01-01T00:00:00.000Z', document: 'orders/o1' };
  const t = Date.parse(event.time);

  it('when an event is younger than the maximum age, then it is handled', () => {
    assert.equal(tooOldToHandle(event, t + 3_599_000, 3_600_000, 'check'), false);
  });

  it('when an event is older than the maximum age, then it is dropped', () => {
    assert.equal(tooOldToHandle(event, t + 3_600_001, 3_600_000, 'check'), true);
  });

  it('when the event time cannot be read, then it is handled rather than dropped', () => {
    assert.equal(tooOldToHandle({ ...event, time: 'garbage' }, t, 3_600_000, 'check'), false);
  });
});
