/**
 * The check path against the Firestore emulator: checks and the outbox become pushes documents,
 * targets are confirmed, replays write nothing new, keys replace and cancel.
 */
import { after, before, beforeEach, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import {
  appointmentReminder,
  REMINDER_LEAD_MS,
} from '../../../functions/src/checks/appointment-reminder';
import { orderShipped } from '../../../functions/src/checks/order-shipped';
import { createPushStore } from '../../../functions/src/adapters/push-store';
import { createTokenStore } from '../../../functions/src/adapters/token-store';
import { tokenIdOf } from '../../../functions/src/core/token-id';
import { runCheck } from '../../../functions/src/use-cases/run-check';
import { acceptPushRequest } from '../../../functions/src/use-cases/outbox';
import { connectTestFirestore, type TestFirestore } from '../../support/emulated-firestore';

describe('check path (Firestore emulator)', () => {
  let fs: TestFirestore;
  let deps: {
    pushes: ReturnType<typeof createPushStore>;
    tokens: ReturnType<typeof createTokenStore>;
  };
  const NOW = Date.parse('2030-05-01T08:00:00Z');

  before(() => {
    fs = connectTestFirestore();
    deps = { pushes: createPushStore(fs.db), tokens: createTokenStore(fs.db) };
  });
  beforeEach(async () => {
    await fs.reset();
    for (const [uid, token] of [
      ['alice', 'alice-phone'],
      ['alice', 'alice-tablet'],
      ['bob', 'bob-phone'],
    ]) {
      await deps.tokens.save(uid, tokenIdOf(token), { token, platform: 'android' }, 10);
    }
  });
  after(() => fs.close());

  const pushes = async () => (await fs.db.collection('pushes').get()).docs;
  const shipped = (eventId: string, uid = 'alice') =>
    runCheck(deps, orderShipped, {
      eventId,
      path: 'orders/o1',
      params: { orderId: 'o1' },
      before: { uid, status: 'paid' },
      after: { uid, status: 'shipped' },
      nowMs: NOW,
    });

  it('when an order ships, then one pending, checked push per device of the user is written, due now', async () => {
    const run = await shipped('event-1');
    assert.equal(run.pushIds.length, 2);
    assert.deepEqual(run.dueNowIds.sort(), run.pushIds.sort());
    const docs = await pushes();
    assert.deepEqual(docs.map((d) => d.get('pushToken')).sort(), ['alice-phone', 'alice-tablet']);
    for (const d of docs) {
      assert.equal(d.get('isChecked'), true);
      assert.equal(d.get('isSent'), false);
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
    }
  });

  it('when the same event is delivered again, then nothing new is written', async () => {
    const first = await shipped('event-1');
    const replay = await shipped('event-1');
    assert.equal(replay.created, 0);
    assert.deepEqual(replay.pushIds, first.pushIds);
    assert.equal((await pushes()).length, 2);
  });

  it('when the user has no tokens, then the reason is recorded and nothing is written', async () => {
    const run = await shipped('event-2', 'carol');
    assert.deepEqual(run.pushIds, []);
    assert.deepEqual(run.skipped, [{ index: 0, reason: 'user carol has no registered tokens' }]);
    assert.equal((await pushes()).length, 0);
  });

  it('when an appointment is created, rescheduled, then cancelled, then its reminder follows', async () => {
    const startsAt = new Date(NOW + 5 * 3_600_000);
    const base = {
      eventId: 'a-1',
      path: 'appointments/a1',
      params: { appointmentId: 'a1' },
      nowMs: NOW,
    };
    const created = await runCheck(deps, appointmentReminder, {
      ...base,
      before: undefined,
      after: { uid: 'bob', startsAt },
    });
    assert.equal(created.dueNowIds.length, 0, 'a reminder in the future is not due now');
    const [reminder] = await pushes();
    assert.equal(reminder.get('reservedAt').toMillis(), startsAt.getTime() - REMINDER_LEAD_MS);
    assert.equal(reminder.get('expiresAt').toMillis(), startsAt.getTime());

    const later = new Date(startsAt.getTime() + 86_400_000);
    const moved = await runCheck(deps, appointmentReminder, {
      ...base,
      eventId: 'a-2',
      before: { uid: 'bob', startsAt },
      after: { uid: 'bob', startsAt: later },
    });
    assert.deepEqual(moved.cancelledIds, [reminder.id]);
    const afterMove = await pushes();
    const byStatus = Object.fromEntries(afterMove.map((d) => [d.get('status'), d]));
    assert.equal(byStatus.cancelled.id, reminder.id);
    assert.equal(
      byStatus.cancelled.get('nextAttemptAt'),
      undefined,
      'a cancelled push leaves the queue',
    );
    assert.equal(byStatus.pending.get('reservedAt').toMillis(), later.getTime() - REMINDER_LEAD_MS);

    const cancelled = await runCheck(deps, appointmentReminder, {
      ...base,
      eventId: 'a-3',
      before: { uid: 'bob', startsAt: later },
      after: { uid: 'bob', startsAt: later, status: 'cancelled' },
    });
    assert.equal(cancelled.cancelledIds.length, 1);
    assert.deepEqual((await pushes()).map((d) => d.get('status')).sort(), [
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
    const run = await runCheck(deps, broken as never, {
      eventId: 'e-bad',
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

  it('when an outbox request is well formed, then it is accepted with its push ids', async () => {
    const out = await acceptPushRequest(
      deps,
      { to: { uid: 'bob' }, title: 'Hello', data: { k: 'v' } },
      { eventId: 'ob-1', path: 'pushRequests/r1', nowMs: NOW },
    );
    assert.equal(out.status, 'accepted');
    assert.equal(out.status === 'accepted' && out.queued.pushIds.length, 1);
    assert.equal((await pushes())[0].get('source').check, 'outbox');
  });

  it('when an outbox request is malformed, then it is rejected naming the field and nothing is written', async () => {
    const out = await acceptPushRequest(
      deps,
      { to: { uid: 'bob' }, title: 'x', ttlSeconds: 'soon' },
      { eventId: 'ob-2', path: 'pushRequests/r2', nowMs: NOW },
    );
    assert.deepEqual(out.status === 'rejected' && out.field, 'ttlSeconds');
    assert.equal((await pushes()).length, 0);
  });

  it('when an outbox payload is over 4,096 bytes, then it is rejected and nothing is written', async () => {
    const out = await acceptPushRequest(
      deps,
      { to: { token: 'bob-phone' }, title: 'x', data: { big: 'y'.repeat(5000) } },
      { eventId: 'ob-3', path: 'pushRequests/r3', nowMs: NOW },
    );
    assert.equal(out.status, 'rejected');
    assert.match(out.status === 'rejected' ? out.reason : '', /4096|4,096|payload|bytes/i);
    assert.equal((await pushes()).length, 0);
  });

  it('when an outbox request targets a user without tokens, then it is rejected with that reason', async () => {
    const out = await acceptPushRequest(
      deps,
      { to: { uid: 'nobody' }, title: 'x' },
      { eventId: 'ob-4', path: 'pushRequests/r4', nowMs: NOW },
    );
    assert.deepEqual(out, { status: 'rejected', reason: 'user nobody has no registered tokens' });
  });
});
