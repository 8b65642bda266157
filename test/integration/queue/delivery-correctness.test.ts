/**
 * Delivery correctness, one scenario per test (Firestore emulator + local FCM v1 server): the
 * right person gets a push whatever happened to the phone meanwhile, keyed replacement holds
 * under replays and out-of-order events, nothing is lost when a step fails, and re-sends are
 * bounded.
 */
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import {
  appointmentReminder,
  REMINDER_LEAD_MS,
} from '../../../functions/src/checks/appointment-reminder';
import type { TokenStore } from '../../../functions/src/adapters/token-store';
import { tokenIdOf } from '../../../functions/src/core/token-id';
import { drainDuePushes } from '../../../functions/src/use-cases/drain-pushes';
import { expandNow } from '../../../functions/src/use-cases/expand-notifications';
import { acceptPushRequest } from '../../../functions/src/use-cases/outbox';
import { runCheck } from '../../../functions/src/use-cases/run-check';
import { startLocalFcm } from '../../../tools/local-google/local-fcm';
import { appointmentEvent, useQueueWorld } from '../../support/queue-world';

describe('delivery correctness (Firestore emulator + local FCM v1 server)', () => {
  const T0 = Date.parse('2030-03-01T09:00:00Z');
  const world = useQueueWorld({ fcm: { timeoutMs: 1_000 }, startMs: T0 });
  const { clock } = world;

  const register = (uid: string, token: string) => world.device(uid, token);
  const signOut = (uid: string, token: string) =>
    world.deps.tokens.deleteIfOwnedBy(uid, tokenIdOf(token));
  const acceptedTokens = () => world.fcm.server.accepted.map((a) => a.message.token);
  const notification = (id: string) => world.data('notifications', id);
  const push = (id: string) => world.data('pushes', id);
  const allPushes = async () =>
    (await world.fs.db.collection('pushes').get()).docs.map((d) => d.data());

  /** A reminder for `uid`, due in an hour, through the outbox (the same path as a check). */
  async function remindInAnHour(uid: string, title = `${uid}'s appointment`): Promise<string> {
    const request = { to: { uid }, title, reservedAt: new Date(clock.now() + 3_600_000) };
    return (await world.accept(request, `${uid}-${world.seq()}`)).notificationIds[0]!;
  }

  describe('1. a reserved push reaches the user’s devices as they are at send time', () => {
    it('when A signs out and B registers the same phone before A’s reminder is due, then B never receives it', async () => {
      await register('alice', 'shared-phone');
      const id = await remindInAnHour('alice');
      await signOut('alice', 'shared-phone');
      await register('bob', 'shared-phone');
      clock.advance(3_600_000);
      await world.drain();
      assert.deepEqual(acceptedTokens(), [], 'nothing may reach the phone now that it is Bob’s');
      const d = await notification(id);
      assert.equal(d.status, 'undeliverable');
      assert.equal(d.result.code, 'NO_DEVICES');
    });

    it('when the phone moves to B after the reminder was expanded but before its delivery is claimed, then it is not sent', async () => {
      await register('alice', 'shared-phone');
      const id = await remindInAnHour('alice');
      clock.advance(3_600_000);
      const expansion = await expandNow(world.deps, [id], {
        maxAttempts: 3,
        leaseMs: 60_000,
        runId: 'x',
      });
      assert.equal(expansion.deliveryIds.length, 1);
      await signOut('alice', 'shared-phone');
      await register('bob', 'shared-phone');
      const report = await world.drain();
      assert.equal(report.notOwned, 1);
      assert.deepEqual(acceptedTokens(), []);
      const delivery = await push(expansion.deliveryIds[0]);
      assert.equal(delivery.status, 'cancelled');
      assert.equal(delivery.result.code, 'DEVICE_NOT_OWNED');
      assert.equal(delivery.isSent, false);
      assert.equal(delivery.nextAttemptAt, undefined);
    });

    it('when the phone moves to B while a delivery waits to retry, then the retry is not sent', async () => {
      await register('alice', 'shared-phone');
      const id = await remindInAnHour('alice');
      clock.advance(3_600_000);
      world.fcm.server.rules.forToken('shared-phone', { kind: 'error', code: 'UNAVAILABLE' }, 1);
      const first = await world.drain();
      assert.equal(first.retried, 1, 'the first attempt failed transiently');
      await signOut('alice', 'shared-phone');
      await register('bob', 'shared-phone');
      clock.advance(3_600_000);
      const second = await world.drain();
      assert.equal(second.notOwned, 1);
      assert.deepEqual(acceptedTokens(), []);
      const [delivery] = await allPushes();
      assert.equal(delivery.notificationId, id);
      assert.equal(delivery.status, 'cancelled');
    });

    it('when A’s token rotates before the reminder is due, then it reaches A’s current device', async () => {
      await register('alice', 'alice-old');
      const id = await remindInAnHour('alice');
      await register('alice', 'alice-new'); // The app got a new token and registered it...
      await signOut('alice', 'alice-old'); // ...and dropped the old one.
      clock.advance(3_600_000);
      const report = await world.drain();
      assert.equal(report.sent, 1);
      assert.deepEqual(acceptedTokens(), ['alice-new']);
      assert.equal((await notification(id)).status, 'expanded');
    });

    it('when A’s old token is still registered but dead, then the new one gets it and the old one is removed', async () => {
      await register('alice', 'alice-old');
      await remindInAnHour('alice');
      await register('alice', 'alice-new');
      world.fcm.server.unregistered.add('alice-old');
      clock.advance(3_600_000);
      const report = await world.drain();
      assert.equal(report.sent, 1);
      assert.equal(report.rejected, 1);
      assert.deepEqual(acceptedTokens(), ['alice-new']);
      assert.equal(await world.hasToken('alice-old'), false);
    });

    it('when A has no device when the reminder is queued, then it is kept and reaches the device registered later', async () => {
      const id = await remindInAnHour('alice');
      assert.equal((await notification(id)).status, 'pending');
      await register('alice', 'alice-later');
      clock.advance(3_600_000);
      const report = await world.drain();
      assert.equal(report.sent, 1);
      assert.deepEqual(acceptedTokens(), ['alice-later']);
    });

    it('when A still has no device when it is due, then it ends undeliverable with NO_DEVICES, not silently', async () => {
      const id = await remindInAnHour('alice');
      clock.advance(3_600_000);
      const report = await world.drain();
      assert.equal(report.undeliverable, 1);
      const d = await notification(id);
      assert.equal(d.status, 'undeliverable');
      assert.equal(d.result.code, 'NO_DEVICES');
      assert.equal(d.nextAttemptAt, undefined, 'it leaves the queue');
      assert.ok(d.deleteAt.toMillis() > clock.now(), 'and is deleted by TTL after retention');
    });

    it('when a user has two devices, then one notification becomes two deliveries that keep the per-push fields', async () => {
      await register('alice', 'alice-phone');
      await register('alice', 'alice-tablet');
      const id = await remindInAnHour('alice', 'Dentist');
      clock.advance(3_600_000);
      await world.drain();
      const n = await notification(id);
      assert.equal(n.status, 'expanded');
      assert.equal(n.deliveryIds.length, 2);
      for (const deliveryId of n.deliveryIds) {
        const d = await push(deliveryId);
        assert.equal(d.notificationId, id);
        assert.equal(d.uid, 'alice');
        assert.equal(d.isChecked, true);
        assert.equal(d.isSent, true);
        assert.equal(d.title, 'Dentist');
        assert.equal(d.status, 'sent');
        assert.equal(d.reservedAt.toMillis(), T0 + 3_600_000);
        assert.ok(['alice-phone', 'alice-tablet'].includes(d.pushToken));
        assert.ok(d.result.messageId);
      }
    });

    it('when an expansion is replayed (a crash after writing deliveries), then no delivery is written twice', async () => {
      await register('alice', 'alice-phone');
      const id = await remindInAnHour('alice');
      clock.advance(3_600_000);
      // The crashed run: claimed and wrote the deliveries, then died before ending the notification.
      const [snap] = await world.deps.notifications.getAll([id]);
      const claimed = await world.deps.notifications.claim([snap], {
        nowMs: clock.now(),
        leaseMs: 60_000,
        runId: 'crashed',
      });
      await world.deps.pushes.createAll(
        [
          {
            id: (await import('../../../functions/src/core/notification')).deliveryIdOf(
              id,
              tokenIdOf('alice-phone'),
            ),
            target: { token: 'alice-phone' },
            uid: 'alice',
            notificationId: id,
            request: { ...claimed[0].notification.request, to: { token: 'alice-phone' } },
            reservedAtMs: clock.now(),
            source: claimed[0].notification.source,
          },
        ],
        clock.now(),
      );
      clock.advance(60_001);
      const report = await world.drain();
      assert.equal(
        report.deliveriesCreated,
        0,
        'the replayed expansion found its delivery written',
      );
      assert.equal(report.sent, 1);
      assert.equal((await allPushes()).length, 1);
      assert.deepEqual([...world.fcm.acceptedByPushId().values()], [1]);
    });
  });

  describe('1b. user deliveries under racing drains', () => {
    it('when three drains race over 120 users’ notifications, then every device gets its push exactly once', async () => {
      for (let i = 0; i < 120; i++) await register(`racer-${i}`, `racer-phone-${i}`);
      for (let i = 0; i < 120; i++) await remindInAnHour(`racer-${i}`);
      clock.advance(3_600_000);
      world.fcm.server.setRttMs(5);
      const reports = await Promise.all([
        world.drain({ batchSize: 40 }),
        world.drain({ batchSize: 40 }),
        world.drain({ batchSize: 25 }),
      ]);
      world.fcm.server.setRttMs(0);
      assert.equal(
        reports.reduce((n, r) => n + r.sent, 0),
        120,
      );
      const counts = world.fcm.acceptedByPushId();
      assert.equal(counts.size, 120);
      assert.ok(
        [...counts.values()].every((v) => v === 1),
        'a delivery was sent twice',
      );
      assert.equal(
        reports.reduce((n, r) => n + r.expanded, 0),
        120,
        'each notification expanded once',
      );
    });
  });

  describe('2. replacing by key holds under replays and out-of-order events', () => {
    const startsAt = (hours: number) => new Date(T0 + hours * 3_600_000);
    const appointment = (
      eventId: string,
      eventTimeMs: number,
      before: Record<string, unknown> | undefined,
      after: Record<string, unknown> | undefined,
    ) =>
      runCheck(world.deps, appointmentReminder, {
        ...appointmentEvent('a1', eventId, eventTimeMs),
        nowMs: clock.now(),
        before,
        after,
      });
    const pending = async () =>
      (
        await world.fs.db.collection('notifications').where('status', '==', 'pending').get()
      ).docs.map((d) => d.get('reservedAt').toMillis());
    const e1 = () => appointment('E1', T0, undefined, { uid: 'bob', startsAt: startsAt(5) });
    const e2 = () =>
      appointment(
        'E2',
        T0 + 1000,
        { uid: 'bob', startsAt: startsAt(5) },
        { uid: 'bob', startsAt: startsAt(8) },
      );
    const e3Delete = () =>
      appointment('E3', T0 + 2000, { uid: 'bob', startsAt: startsAt(8) }, undefined);

    it('when E1, E2 and then E1 again are delivered, then the t2 reminder stays pending', async () => {
      await e1();
      await e2();
      const replay = await e1();
      assert.deepEqual(replay.cancelledIds, [], 'a replay cancels nothing');
      assert.equal(replay.created, 0);
      assert.deepEqual(await pending(), [startsAt(8).getTime() - REMINDER_LEAD_MS]);
    });

    it('when E2 is handled before E1, then the t2 reminder wins and t1 is never queued', async () => {
      await e2();
      const late = await e1();
      assert.equal(late.created, 0);
      assert.match(late.skipped[0]?.reason ?? '', /superseded/);
      assert.deepEqual(await pending(), [startsAt(8).getTime() - REMINDER_LEAD_MS]);
    });

    it('when the delete is handled before the earlier update, then no reminder is left for the deleted appointment', async () => {
      await e1();
      await e3Delete();
      await e2();
      assert.deepEqual(await pending(), []);
    });

    it('when two users use the same key, then one user’s replacement never cancels the other’s', async () => {
      const digest = (uid: string, eventId: string, t: number) =>
        acceptPushRequest(
          world.deps,
          {
            to: { uid },
            title: 'Weekly digest',
            key: 'weekly-digest',
            reservedAt: new Date(T0 + 86_400_000),
          },
          { path: `pushRequests/${eventId}`, createTimeMs: t, nowMs: clock.now() },
        );
      await digest('alice', 'a1', T0);
      await digest('bob', 'b1', T0 + 1);
      const bobAgain = await digest('bob', 'b2', T0 + 2);
      assert.equal(bobAgain.status === 'accepted' && bobAgain.queued.cancelledIds.length, 1);
      const byUser = (
        await world.fs.db.collection('notifications').where('status', '==', 'pending').get()
      ).docs.map((d) => d.get('uid'));
      assert.deepEqual(byUser.sort(), ['alice', 'bob']);
    });
  });

  describe('3. nothing is lost when a trigger fails', () => {
    it('when a check fails after writing part of its pushes and is retried, then everything is queued once', async () => {
      await register('alice', 'alice-phone');
      // Two requests: a plain one (written first) and a keyed one, whose write fails.
      const twoRequests = {
        ...appointmentReminder,
        run: () => [
          { to: { uid: 'alice' }, title: 'Booked' },
          {
            to: { uid: 'alice' },
            title: 'Reminder',
            key: 'k',
            reservedAt: new Date(T0 + 3_600_000),
          },
        ],
      };
      const failing = {
        ...world.deps,
        keys: {
          ...world.deps.keys,
          queue: async () => {
            throw Object.assign(new Error('14 UNAVAILABLE: injected'), { code: 14 });
          },
        },
      };
      const event = { ...appointmentEvent('a9', 'E-retry', T0), before: undefined, after: {} };
      await assert.rejects(runCheck(failing, twoRequests, event), /UNAVAILABLE/);
      assert.equal((await world.fs.db.collection('notifications').get()).size, 1, 'half written');
      const retried = await runCheck(world.deps, twoRequests, event);
      assert.equal(retried.notificationIds.length, 2);
      assert.equal(retried.created, 1, 'the retry adds only what was missing');
      const again = await runCheck(world.deps, twoRequests, event);
      assert.equal(again.created, 0);
      assert.equal((await world.fs.db.collection('notifications').get()).size, 2);
    });
  });

  describe('4. a failure after FCM answered never discards the page’s results', () => {
    it('when deleting a dead token fails, then every result of the page is still written', async () => {
      for (const t of ['ok-1', 'dead-1', 'ok-2']) {
        await world.outbox({ to: { token: t }, title: 'x' }, t);
      }
      world.fcm.server.unregistered.add('dead-1');
      const tokens: TokenStore = {
        ...world.deps.tokens,
        delete: async () => {
          throw new Error('injected: token delete failed');
        },
      };
      const report = await drainDuePushes({ ...world.deps, tokens }, world.settings());
      assert.equal(report.sent, 2);
      assert.equal(report.rejected, 1);
      assert.equal(report.tokenDeletesFailed, 1);
      assert.deepEqual(report.tokenDeleteErrors, ['injected: token delete failed']);
      const statuses = (await allPushes()).map((d) => d.status).sort();
      assert.deepEqual(statuses, ['rejected', 'sent', 'sent']);
      clock.advance(3_600_000);
      const later = await world.drain();
      assert.equal(later.claimed, 0, 'nothing is due again: no push is re-sent');
      assert.equal(world.fcm.server.accepted.length, 2);
    });
  });

  describe('4b. a dead-token delete that hangs holds back only its own push', () => {
    it('when deleting a dead token does not answer, then the page’s other results are written at once, the dead token’s push stays claimed, and a later run finishes it once deletes answer', async () => {
      for (const t of ['ok-1', 'dead-1', 'ok-2']) {
        await world.outbox({ to: { token: t }, title: 'x' }, t);
      }
      world.fcm.server.unregistered.add('dead-1');
      let release: () => void = () => undefined;
      const hanging = new Promise<void>((resolve) => {
        release = resolve;
      });
      const tokens: TokenStore = { ...world.deps.tokens, delete: () => hanging };
      const report = await drainDuePushes(
        { ...world.deps, tokens },
        world.settings({ tokenDeleteWaitMs: 200 }),
      );
      assert.equal(report.sent, 2);
      assert.equal(report.rejected, 0, 'not recorded while its token may still be there');
      assert.equal(report.awaitingTokenDelete, 1);
      assert.equal(report.tokensDeleted, 0);
      const statuses = (await allPushes()).map((d) => d.status).sort();
      assert.deepEqual(statuses, ['sending', 'sent', 'sent']);
      release();
      // The lease ends; the next run sends it again, FCM refuses it again, the delete answers.
      clock.advance(60_001);
      const later = await world.drain();
      assert.equal(later.claimed, 1);
      assert.equal(later.rejected, 1);
      assert.equal(later.tokensDeleted, 1);
      assert.deepEqual((await allPushes()).map((d) => d.status).sort(), [
        'rejected',
        'sent',
        'sent',
      ]);
      assert.equal(world.fcm.server.accepted.length, 2, 'the live tokens got theirs once');
    });
  });

  describe('5. MAX_ATTEMPTS bounds every re-send, crashes included', () => {
    it('when every run dies after FCM accepted, then after MAX_ATTEMPTS claims the push ends ATTEMPTS_EXHAUSTED without another send', async () => {
      const out = await world.outbox({ to: { token: 'doomed' }, title: 'x' }, 'doomed');
      const id = out.status === 'accepted' ? out.queued.pushIds[0] : '';
      // Three runs (maxAttempts = 3) claim it and die before writing a result (say, after FCM
      // accepted: out of memory, a timeout).
      for (let i = 0; i < 3; i++) {
        const { claimed } = await world.claimDue(`dies-${i}`);
        assert.equal(claimed.length, 1);
        clock.advance(60_001);
      }
      const report = await world.drain();
      assert.equal(report.exhausted, 1);
      assert.equal(world.fcm.server.accepted.length, 0, 'not sent a fourth time');
      const d = await push(id);
      assert.equal(d.status, 'failed');
      assert.equal(d.result.code, 'ATTEMPTS_EXHAUSTED');
      assert.equal(d.nextAttemptAt, undefined);
    });
  });

  describe('6. a deadline that holds', () => {
    it('when the lease’s safety margin is reached mid-page, then no request starts after it and the rest is due again without spending an attempt', async () => {
      // Real time here: the sender's deadline is checked against the clock requests start by.
      const slow = await startLocalFcm({ concurrency: 1, timeoutMs: 1_000 });
      slow.server.setRttMs(150);
      try {
        const realDeps = { ...world.deps, sender: slow.sender, now: Date.now };
        for (let i = 0; i < 12; i++) {
          await acceptPushRequest(
            realDeps,
            { to: { token: `slow-${i}` }, title: 'x' },
            { path: `pushRequests/slow-${i}`, createTimeMs: Date.now(), nowMs: Date.now() },
          );
        }
        const report = await drainDuePushes(
          realDeps,
          world.settings({ leaseMs: 3_000, leaseSafetyMs: 2_300, timeBudgetMs: 1 }),
        );
        assert.ok(report.sent >= 1 && report.sent < 12, `sent ${report.sent}`);
        assert.equal(report.deferred, 12 - report.sent);
        assert.equal(slow.server.accepted.length, report.sent, 'deferred ones never reached FCM');
        const deferred = (await allPushes()).filter((d) => d.status === 'pending');
        assert.equal(deferred.length, 12 - report.sent);
        for (const d of deferred) {
          assert.equal(d.attempts, 0, 'the attempt is given back');
          assert.ok(d.nextAttemptAt.toMillis() <= Date.now(), 'due again at once');
        }
      } finally {
        await slow.close();
      }
    });
  });
});
