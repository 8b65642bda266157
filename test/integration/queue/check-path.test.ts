/**
 * The check path against the Firestore emulator: checks and the outbox become notifications (for
 * users) and pushes (tokens, topics, conditions), replays write nothing new, keys replace and
 * cancel.
 */
import { beforeEach, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import {
  appointmentReminder,
  REMINDER_LEAD_MS,
} from '../../../functions/src/checks/appointment-reminder';
import { orderShipped } from '../../../functions/src/checks/order-shipped';
import { runCheck } from '../../../functions/src/use-cases/run-check';
import { acceptPushRequest } from '../../../functions/src/use-cases/outbox';
import { appointmentEvent, useQueueWorld } from '../../support/queue-world';

describe('check path (Firestore emulator)', () => {
  const NOW = Date.parse('2030-05-01T08:00:00Z');
  const world = useQueueWorld({ startMs: NOW });
  beforeEach(async () => {
    await world.device('alice', 'alice-phone');
    await world.device('alice', 'alice-tablet');
    await world.device('bob', 'bob-phone');
  });

  const pushes = async () => (await world.fs.db.collection('pushes').get()).docs;
  const notifications = async () => (await world.fs.db.collection('notifications').get()).docs;
  const shipped = (eventId: string, uid = 'alice') =>
    runCheck(world.deps, orderShipped, {
      eventId,
      eventTimeMs: NOW,
      path: 'orders/o1',
      params: { orderId: 'o1' },
      before: { uid, status: 'paid' },
      after: { uid, status: 'shipped' },
      nowMs: NOW,
    });

  it('when an order ships, then one pending, checked notification for the user is written, due now', async () => {
    const run = await shipped('event-1');
    assert.equal(run.notificationIds.length, 1);
    assert.deepEqual(run.dueNow.notificationIds, run.notificationIds);
    assert.equal((await pushes()).length, 0, 'devices are resolved when it is sent, not now');
    const [d] = await notifications();
    assert.equal(d.get('isChecked'), true);
    assert.equal(d.get('isExpanded'), false);
    assert.equal(d.get('status'), 'pending');
    assert.equal(d.get('attempts'), 0);
    assert.equal(d.get('uid'), 'alice');
    assert.equal(d.get('reservedAt').toMillis(), NOW);
    assert.equal(d.get('nextAttemptAt').toMillis(), NOW);
    assert.equal(d.get('title'), 'Your order has shipped');
    assert.deepEqual(d.get('source'), {
      path: 'orders/o1',
      eventId: 'event-1',
      check: 'orderShipped',
    });
  });

  it('when the same event is delivered again, then nothing new is written', async () => {
    const first = await shipped('event-1');
    const replay = await shipped('event-1');
    assert.equal(replay.created, 0);
    assert.deepEqual(replay.notificationIds, first.notificationIds);
    assert.equal((await notifications()).length, 1);
  });

  it('when the user has no tokens yet, then the notification is still queued (resolved when due)', async () => {
    const run = await shipped('event-2', 'carol');
    assert.equal(run.notificationIds.length, 1);
    assert.deepEqual(run.skipped, []);
    assert.equal((await notifications()).length, 1);
  });

  it('when an appointment is created, rescheduled, then cancelled, then its reminder follows', async () => {
    const startsAt = new Date(NOW + 5 * 3_600_000);
    const base = appointmentEvent('a1', 'a-1', NOW);
    const created = await runCheck(world.deps, appointmentReminder, {
      ...base,
      before: undefined,
      after: { uid: 'bob', startsAt },
    });
    assert.equal(
      created.dueNow.notificationIds.length,
      0,
      'a reminder in the future is not due now',
    );
    const [reminder] = await notifications();
    assert.equal(reminder.get('reservedAt').toMillis(), startsAt.getTime() - REMINDER_LEAD_MS);
    assert.equal(reminder.get('expiresAt').toMillis(), startsAt.getTime());

    const later = new Date(startsAt.getTime() + 86_400_000);
    const moved = await runCheck(world.deps, appointmentReminder, {
      ...base,
      eventId: 'a-2',
      eventTimeMs: NOW + 1,
      before: { uid: 'bob', startsAt },
      after: { uid: 'bob', startsAt: later },
    });
    assert.deepEqual(moved.cancelledIds, [reminder.id]);
    const afterMove = await notifications();
    const byStatus = Object.fromEntries(afterMove.map((d) => [d.get('status'), d]));
    assert.equal(byStatus.cancelled.id, reminder.id);
    assert.equal(
      byStatus.cancelled.get('nextAttemptAt'),
      undefined,
      'a cancelled push leaves the queue',
    );
    assert.equal(byStatus.pending.get('reservedAt').toMillis(), later.getTime() - REMINDER_LEAD_MS);

    const cancelled = await runCheck(world.deps, appointmentReminder, {
      ...base,
      eventId: 'a-3',
      eventTimeMs: NOW + 2,
      before: { uid: 'bob', startsAt: later },
      after: { uid: 'bob', startsAt: later, status: 'cancelled' },
    });
    assert.equal(cancelled.cancelledIds.length, 1);
    assert.deepEqual((await notifications()).map((d) => d.get('status')).sort(), [
      'cancelled',
      'cancelled',
    ]);
  });

  it('when a check returns a malformed request, then it is reported and the valid ones still go', async () => {
    const broken = {
      ...orderShipped,
      run: () => [
        { to: { uid: 'alice' }, data: { n: 1 } },
        { to: { topic: 'news' }, title: 'ok' },
      ],
    };
    const run = await runCheck(world.deps, broken as never, {
      eventId: 'e-bad',
      eventTimeMs: NOW,
      path: 'orders/o9',
      params: {},
      before: undefined,
      after: {},
      nowMs: NOW,
    });
    assert.equal(run.invalid.length, 1);
    assert.match(run.invalid[0].reason, /requests\[0\]\.data\.n/);
    assert.equal(run.pushIds.length, 1);
  });

  it('when an outbox request is well formed, then it is accepted with its notification id', async () => {
    const out = await world.outbox({ to: { uid: 'bob' }, title: 'Hello', data: { k: 'v' } }, 'r1');
    assert.equal(out.status, 'accepted');
    assert.equal(out.status === 'accepted' && out.queued.notificationIds.length, 1);
    assert.equal((await notifications())[0].get('source').check, 'outbox');
  });

  it('when an outbox request is malformed, then it is rejected naming the field and nothing is written', async () => {
    const out = await world.outbox({ to: { uid: 'bob' }, title: 'x', ttlSeconds: 'soon' }, 'r2');
    assert.deepEqual(out.status === 'rejected' && out.field, 'ttlSeconds');
    assert.equal((await pushes()).length + (await notifications()).length, 0);
  });

  it('when an outbox payload is over 4,096 bytes, then it is rejected and nothing is written', async () => {
    const out = await world.outbox(
      { to: { token: 'bob-phone' }, title: 'x', data: { big: 'y'.repeat(5000) } },
      'r3',
    );
    assert.equal(out.status, 'rejected');
    assert.match(out.status === 'rejected' ? out.reason : '', /4096|4,096|payload|bytes/i);
    assert.equal((await pushes()).length, 0);
  });

  it('when the same outbox document is processed twice (trigger retry, operator replay), then it is queued once', async () => {
    const doc = { to: { token: 'bob-phone' }, title: 'Once' };
    const event = { path: 'pushRequests/r5', createTimeMs: NOW, nowMs: NOW };
    const first = await acceptPushRequest(world.deps, doc, event);
    const again = await acceptPushRequest(world.deps, doc, { ...event, nowMs: NOW + 60_000 });
    assert.equal(first.status === 'accepted' && first.queued.created, 1);
    assert.equal(again.status === 'accepted' && again.queued.created, 0);
    assert.equal((await pushes()).length, 1);
  });
});
