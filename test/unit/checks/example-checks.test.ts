import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { orderShipped } from '../../../functions/src/checks/order-shipped';
import {
  appointmentReminder,
  REMINDER_LEAD_MS,
} from '../../../functions/src/checks/appointment-reminder';
import { normalizeCheckOutput } from '../../../functions/src/core/define-check';

describe('orderShipped', () => {
  const params = { orderId: 'o1' };
  it('when status becomes shipped, then the order user is notified at once', () => {
    const out = normalizeCheckOutput(
      orderShipped.run({ uid: 'u', status: 'paid' }, { uid: 'u', status: 'shipped' }, params),
    );
    assert.equal(out.send.length, 1);
    assert.deepEqual((out.send[0] as { to: unknown }).to, { uid: 'u' });
    assert.equal((out.send[0] as { reservedAt?: unknown }).reservedAt, undefined);
  });
  it('when a shipped order is written again, then nothing is sent', () => {
    assert.deepEqual(
      orderShipped.run(
        { uid: 'u', status: 'shipped' },
        { uid: 'u', status: 'shipped', note: 'x' },
        params,
      ),
      [],
    );
  });
  it('when an order is created already shipped, then the user is notified', () => {
    assert.equal(
      normalizeCheckOutput(orderShipped.run(undefined, { uid: 'u', status: 'shipped' }, params))
        .send.length,
      1,
    );
  });
  it('when the order has no uid, then nothing is sent', () => {
    assert.deepEqual(orderShipped.run(undefined, { status: 'shipped' }, params), []);
  });
  it('when the order is deleted, then nothing is sent', () => {
    assert.deepEqual(orderShipped.run({ uid: 'u', status: 'shipped' }, undefined, params), []);
  });
});

describe('appointmentReminder', () => {
  const params = { appointmentId: 'a1' };
  const start = new Date('2030-05-01T10:00:00Z');
  const appt = (over: Record<string, unknown> = {}) => ({ uid: 'u', startsAt: start, ...over });

  it('when an appointment is created, then a reminder is reserved one hour before, expiring at the start', () => {
    const out = normalizeCheckOutput(appointmentReminder.run(undefined, appt(), params));
    const r = out.send[0] as { reservedAt: Date; expiresAt: Date; key: string };
    assert.equal(r.reservedAt.getTime(), start.getTime() - REMINDER_LEAD_MS);
    assert.equal(r.expiresAt.getTime(), start.getTime());
    assert.equal(r.key, 'appointment-reminder:a1');
  });
  it('when it is rescheduled, then a new reminder with the same key replaces the old', () => {
    const later = new Date(start.getTime() + 86_400_000);
    const out = normalizeCheckOutput(
      appointmentReminder.run(appt(), appt({ startsAt: later }), params),
    );
    assert.equal(
      (out.send[0] as { reservedAt: Date }).reservedAt.getTime(),
      later.getTime() - REMINDER_LEAD_MS,
    );
  });
  it('when an unrelated field changes, then nothing is queued again', () => {
    assert.deepEqual(appointmentReminder.run(appt(), appt({ note: 'bring id' }), params), []);
  });
  it('when it is cancelled, then its reminder key is cancelled', () => {
    assert.deepEqual(appointmentReminder.run(appt(), appt({ status: 'cancelled' }), params), {
      cancel: [{ key: 'appointment-reminder:a1', to: { uid: appt().uid } }],
    });
  });
  it('when it is deleted, then its reminder key is cancelled', () => {
    assert.deepEqual(appointmentReminder.run(appt(), undefined, params), {
      cancel: [{ key: 'appointment-reminder:a1', to: { uid: appt().uid } }],
    });
  });
  it('when it moves to another user, then the new user gets a reminder and the previous one’s is cancelled', () => {
    const out = appointmentReminder.run(appt(), appt({ uid: 'someone-else' }), params);
    assert.ok(!Array.isArray(out));
    assert.equal(out.send?.[0].to && 'uid' in out.send[0].to && out.send[0].to.uid, 'someone-else');
    assert.deepEqual(out.cancel, [{ key: 'appointment-reminder:a1', to: { uid: appt().uid } }]);
  });
  it('when it has no start time, then nothing happens', () => {
    assert.deepEqual(appointmentReminder.run(undefined, { uid: 'u' }, params), []);
  });
});
