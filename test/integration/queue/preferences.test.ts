/**
 * What users control, end to end through the outbox and the drain (Firestore emulator + local
 * FCM v1 server, a manual clock): opt-outs end pushes `suppressed`, quiet hours defer each
 * device's delivery to the end of the window in its zone (or expire it), the language is picked
 * per device, and a push to a registered token applies its owner's preferences at send time.
 * Preferences are read when the push is sent, not when it was queued.
 */
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import type { PreferenceChange } from '../../../functions/src/core/preferences';
import { deliverNow } from '../../../functions/src/use-cases/deliver-pushes';
import { expandNow } from '../../../functions/src/use-cases/expand-notifications';
import { processPushRequest } from '../../../functions/src/use-cases/outbox';
import { useQueueWorld } from '../../support/queue-world';

const MIN = 60_000;
const HOUR = 60 * MIN;
/** 14:30 UTC: 23:30 in Seoul (quiet under 22:00–08:00), 16:30 in Berlin (not). */
const T0 = Date.parse('2030-06-01T14:30:00Z');
/** 08:00 in Seoul the next morning. */
const SEOUL_MORNING = Date.parse('2030-06-01T23:00:00Z');
const SPREAD_MS = 10 * MIN;
const NIGHT = { start: '22:00', end: '08:00' };

describe('what users control: opt-outs, quiet hours, language (outbox + drain, emulator)', () => {
  const world = useQueueWorld({
    fcm: { timeoutMs: 1_000 },
    startMs: T0,
    // The world's random is 0.5: a deferred delivery lands in the middle of the spread (5 minutes
    // after the end).
    settings: { quietHoursSpreadMs: SPREAD_MS },
  });
  const { clock, device, data: doc } = world;

  const prefer = async (uid: string, change: PreferenceChange) => {
    const r = await world.deps.preferences.update(uid, change);
    assert.ok(r.ok, JSON.stringify(r));
  };
  const accepted = () =>
    world.fcm.server.accepted.map((a) => ({
      token: a.message.token,
      title: (a.message.notification as { title?: string } | undefined)?.title,
      body: (a.message.notification as { body?: string } | undefined)?.body,
    }));

  /** An outbox document, processed as the trigger does (queue, then record the outcome). */
  async function outbox(request: Record<string, unknown>) {
    const path = `pushRequests/r-${world.seq()}`;
    await world.fs.db.doc(path).set(request);
    const outcome = await processPushRequest(
      world.deps,
      { path, createTimeMs: clock.now(), data: request },
      clock.now(),
    );
    return { outcome, path };
  }
  /** A push to `token` through the outbox (accepted); answers its id. */
  async function queueTo(token: string, request: Record<string, unknown>) {
    const { outcome } = await outbox({ to: { token }, ...request });
    assert.equal(outcome.status, 'accepted', JSON.stringify(outcome));
    return outcome.status === 'accepted' ? outcome.queued.pushIds[0]! : '';
  }
  async function queueFor(uid: string, extra: Record<string, unknown> = {}) {
    const { outcome } = await outbox({ to: { uid }, title: 'Hello', content: 'Body', ...extra });
    assert.equal(outcome.status, 'accepted', JSON.stringify(outcome));
    return outcome.status === 'accepted' ? outcome.queued.notificationIds[0] : '';
  }

  describe('opt-outs', () => {
    it('when the user turned the category off, then the notification ends suppressed with OPTED_OUT:<category>, no delivery, nothing sent; the outbox records only acceptance', async () => {
      await device('alice', 'alice-phone');
      await prefer('alice', { categories: { marketing: false } });
      const { outcome, path } = await outbox({
        to: { uid: 'alice' },
        title: 'Sale!',
        category: 'marketing',
      });
      assert.equal(outcome.status, 'accepted');
      const report = await world.drain();
      assert.equal(report.suppressedNotifications, 1);
      assert.deepEqual(accepted(), []);
      const id = outcome.status === 'accepted' ? outcome.queued.notificationIds[0] : '';
      const notification = await doc('notifications', id);
      assert.equal(notification.status, 'suppressed');
      assert.equal(notification.category, 'marketing');
      assert.equal(notification.result.code, 'OPTED_OUT:marketing');
      assert.equal(notification.nextAttemptAt, undefined, 'it leaves the queue');
      assert.ok(notification.deleteAt, 'and is deleted by TTL after retention');
      assert.equal((await world.fs.db.collection('pushes').get()).size, 0);
      assert.equal((await world.fs.db.doc(path).get()).get('status'), 'accepted');
    });

    it('when the user opts out after a reminder was queued, then it is suppressed when due (decided at send time)', async () => {
      await device('alice', 'alice-phone');
      const id = await queueFor('alice', {
        category: 'reminders',
        reservedAt: new Date(clock.now() + HOUR),
      });
      await prefer('alice', { categories: { reminders: false } });
      clock.advance(HOUR);
      await world.drain();
      assert.equal((await doc('notifications', id)).status, 'suppressed');
      assert.deepEqual(accepted(), []);
    });

    it('when other categories, or no category, are sent, then they go out; a category turned back on goes too', async () => {
      await device('alice', 'alice-phone');
      await prefer('alice', { categories: { marketing: false } });
      await queueFor('alice', { title: 'Order', category: 'orders' });
      await queueFor('alice', { title: 'Plain' });
      await prefer('alice', { categories: { marketing: true } });
      await queueFor('alice', { title: 'Sale', category: 'marketing' });
      const report = await world.drain();
      assert.equal(report.sent, 3);
      const categories = (await world.fs.db.collection('pushes').get()).docs.map((d) =>
        d.get('category'),
      );
      assert.deepEqual(categories.sort(), ['default', 'marketing', 'orders']);
    });
  });

  describe('quiet hours', () => {
    it('when the user’s devices are in two zones, then the one in its quiet hours waits until they end there (plus the spread) and the other gets it now', async () => {
      await device('alice', 'seoul-phone', { timezone: 'Asia/Seoul' });
      await device('alice', 'berlin-tablet', { timezone: 'Europe/Berlin' });
      await prefer('alice', { quietHours: NIGHT }); // no zone of its own: each device's counts
      const id = await queueFor('alice');

      const first = await world.drain();
      assert.equal(first.sent, 1);
      assert.equal(first.deferredDeliveries, 1);
      assert.deepEqual(
        accepted().map((a) => a.token),
        ['berlin-tablet'],
      );
      const notification = await doc('notifications', id);
      assert.equal(notification.status, 'expanded');
      assert.deepEqual(notification.result, { deliveries: 2, deferred: 1 });
      const waiting = (
        await world.fs.db.collection('pushes').where('status', '==', 'pending').get()
      ).docs[0];
      assert.equal(waiting.get('pushToken'), 'seoul-phone');
      assert.equal(waiting.get('nextAttemptAt').toMillis(), SEOUL_MORNING + SPREAD_MS / 2);
      assert.equal(waiting.get('result').code, 'QUIET_HOURS');
      assert.match(waiting.get('result').message, /22:00–08:00 Asia\/Seoul/);
      const deferredEntry = (waiting.get('history') as Array<Record<string, unknown>>).find(
        (h) => h.event === 'deferred',
      );
      assert.equal(deferredEntry?.code, 'QUIET_HOURS');

      clock.set(SEOUL_MORNING + SPREAD_MS / 2 - 1);
      assert.equal((await world.drain()).sent, 0, 'not before its time');
      clock.set(SEOUL_MORNING + SPREAD_MS / 2);
      assert.equal((await world.drain()).sent, 1);
      assert.deepEqual(
        accepted().map((a) => a.token),
        ['berlin-tablet', 'seoul-phone'],
      );
      const sent = await doc('pushes', waiting.id);
      assert.equal(sent.status, 'sent');
      assert.equal(sent.attempts, 1, 'waiting cost no attempt');
    });

    it('when the preference names a zone, then it wins over the devices’ zones', async () => {
      await device('alice', 'berlin-tablet', { timezone: 'Europe/Berlin' });
      await prefer('alice', { quietHours: NIGHT, timezone: 'Asia/Seoul' });
      await queueFor('alice');
      const report = await world.drain();
      assert.equal(report.sent, 0);
      assert.equal(report.deferredDeliveries, 1);
    });

    it('when quiet hours outlast the push’s expiry, then its delivery ends expired with QUIET_HOURS and the notification expired, nothing sent', async () => {
      await device('alice', 'seoul-phone', { timezone: 'Asia/Seoul' });
      await prefer('alice', { quietHours: NIGHT });
      const id = await queueFor('alice', { expiresAt: new Date(clock.now() + HOUR) });
      const report = await world.drain();
      assert.equal(report.quietHoursExpired, 1);
      assert.deepEqual(accepted(), []);
      await world.assertResult('notifications', id, 'expired', 'QUIET_HOURS');
      const [delivery] = (await world.fs.db.collection('pushes').get()).docs;
      assert.equal(delivery.get('status'), 'expired');
      assert.equal(delivery.get('result').code, 'QUIET_HOURS');
      assert.equal(delivery.get('nextAttemptAt'), undefined, 'not in the queue');
      assert.ok(delivery.get('deleteAt'));
    });

    it('when the user turns the category off while a delivery waits for quiet hours, then it is suppressed when due, not sent', async () => {
      await device('alice', 'seoul-phone', { timezone: 'Asia/Seoul' });
      await prefer('alice', { quietHours: NIGHT });
      const id = await queueFor('alice', { category: 'news' });
      await world.drain();
      await prefer('alice', { categories: { news: false } });
      clock.set(SEOUL_MORNING + SPREAD_MS);
      const report = await world.drain();
      assert.equal(report.suppressed, 1);
      assert.deepEqual(accepted(), []);
      const [deliveryId] = (await doc('notifications', id)).deliveryIds as string[];
      await world.assertResult('pushes', deliveryId, 'suppressed', 'OPTED_OUT:news');
    });

    it('when a delivery’s retry falls into the user’s quiet hours, then it waits for their end in its device’s zone', async () => {
      await device('alice', 'berlin-tablet', { timezone: 'Europe/Berlin' });
      await prefer('alice', { quietHours: NIGHT });
      await queueFor('alice');
      world.fcm.server.rules.forToken('berlin-tablet', { kind: 'error', code: 'UNAVAILABLE' }, 1);
      assert.equal((await world.drain()).retried, 1, '16:30 in Berlin: sent, failed');
      clock.set(Date.parse('2030-06-01T20:30:00Z')); // 22:30 in Berlin: quiet
      const report = await world.drain();
      assert.equal(report.quietHoursDeferred, 1);
      assert.deepEqual(accepted(), []);
      const [delivery] = (await world.fs.db.collection('pushes').get()).docs;
      assert.equal(delivery.get('status'), 'pending');
      assert.equal(
        delivery.get('attempts'),
        1,
        'the claim that found quiet hours gave its attempt back',
      );
      // 08:00 in Berlin (CEST) is 06:00Z, plus half the spread.
      assert.equal(
        delivery.get('nextAttemptAt').toMillis(),
        Date.parse('2030-06-02T06:00:00Z') + SPREAD_MS / 2,
      );
    });

    it('when the request says ignoreQuietHours (a security code), then it is sent at once', async () => {
      await device('alice', 'seoul-phone', { timezone: 'Asia/Seoul' });
      await prefer('alice', { quietHours: NIGHT });
      await queueFor('alice', { title: 'Your code is 123456', ignoreQuietHours: true });
      assert.equal((await world.drain()).sent, 1);
    });

    it('when a notification is delivered immediately (the trigger’s path), then a deferred device is not among the deliveries sent now', async () => {
      await device('alice', 'seoul-phone', { timezone: 'Asia/Seoul' });
      await device('alice', 'berlin-tablet', { timezone: 'Europe/Berlin' });
      await prefer('alice', { quietHours: NIGHT });
      const id = await queueFor('alice');
      const expansion = await expandNow(world.deps, [id], {
        maxAttempts: 3,
        leaseMs: 60_000,
        quietHoursSpreadMs: SPREAD_MS,
        runId: 'now',
      });
      assert.equal(expansion.deliveryIds.length, 1);
      assert.equal(expansion.deferredDeliveries, 1);
      const report = await deliverNow(world.deps, expansion.deliveryIds, {
        maxAttempts: 3,
        backoffBaseMs: 10_000,
        leaseMs: 60_000,
        leaseSafetyMs: 5_000,
        runId: 'now',
      });
      assert.equal(report.sent, 1);
      assert.deepEqual(
        accepted().map((a) => a.token),
        ['berlin-tablet'],
      );
    });
  });

  describe('language', () => {
    const localized = {
      ko: { title: '안녕하세요', content: '본문' },
      'de-DE': { title: 'Hallo' },
      ja: { title: 'こんにちは' },
    };

    it('when devices have different locales, then each gets its best variant, and a device with no match gets the request’s own text', async () => {
      await device('alice', 'ko-phone', { locale: 'ko-KR' });
      await device('alice', 'de-tablet', { locale: 'de-AT' });
      await device('alice', 'fr-laptop', { locale: 'fr-FR' });
      const id = await queueFor('alice', { localized });
      await world.drain();
      const byToken = Object.fromEntries(accepted().map((a) => [a.token, [a.title, a.body]]));
      assert.deepEqual(byToken, {
        'ko-phone': ['안녕하세요', '본문'],
        'de-tablet': ['Hallo', 'Body'],
        'fr-laptop': ['Hello', 'Body'],
      });
      const notification = await doc('notifications', id);
      assert.equal(notification.title, 'Hello', 'the inbox keeps the request as written');
      assert.ok(notification.localized.ko);
      for (const deliveryId of notification.deliveryIds) {
        const d = await doc('pushes', deliveryId);
        assert.equal(d.localized, undefined, 'a delivery holds only its own text');
        const expected = { 'ko-phone': 'ko', 'de-tablet': 'de-DE', 'fr-laptop': undefined }[
          d.pushToken as string
        ];
        assert.equal(d.contentLocale, expected);
      }
    });

    it('when the user chose a language, then it wins over every device’s locale', async () => {
      await device('alice', 'ko-phone', { locale: 'ko-KR' });
      await prefer('alice', { locale: 'ja-JP' });
      await queueFor('alice', { localized });
      await world.drain();
      assert.deepEqual(accepted(), [{ token: 'ko-phone', title: 'こんにちは', body: 'Body' }]);
    });

    it('when one variant would be over FCM’s payload limit, then the outbox rejects the request naming it and nothing is queued', async () => {
      const { outcome } = await outbox({
        to: { uid: 'alice' },
        title: 'Hello',
        localized: { ko: { content: '가'.repeat(1400) } },
      });
      assert.equal(outcome.status, 'rejected');
      assert.match(outcome.status === 'rejected' ? outcome.reason : '', /^localized\.ko: /);
      assert.equal((await world.fs.db.collection('notifications').get()).size, 0);
    });
  });

  describe('a push to a registered token applies its owner’s preferences at send time', () => {
    it('when the owner turned its category off, then the push ends suppressed, unsent', async () => {
      await device('alice', 'alice-phone');
      await prefer('alice', { categories: { marketing: false } });
      const id = await queueTo('alice-phone', { title: 'Sale!', category: 'marketing' });
      const report = await world.drain();
      assert.equal(report.suppressed, 1);
      assert.deepEqual(accepted(), []);
      const push = await world.assertResult('pushes', id, 'suppressed', 'OPTED_OUT:marketing');
      assert.equal(push.nextAttemptAt, undefined);
    });

    it('when the owner is in quiet hours, then the push waits for their end (its attempt given back), in the owner’s language', async () => {
      await device('alice', 'alice-phone', { timezone: 'Asia/Seoul', locale: 'ko-KR' });
      await prefer('alice', { quietHours: NIGHT });
      const id = await queueTo('alice-phone', {
        title: 'Hello',
        localized: { ko: { title: '안녕하세요' } },
      });
      const first = await world.drain();
      assert.equal(first.quietHoursDeferred, 1);
      const waiting = await doc('pushes', id);
      assert.equal(waiting.status, 'pending');
      assert.equal(waiting.attempts, 0);
      assert.equal(waiting.result.code, 'QUIET_HOURS');
      assert.equal(waiting.nextAttemptAt.toMillis(), SEOUL_MORNING + SPREAD_MS / 2);
      clock.set(SEOUL_MORNING + SPREAD_MS / 2);
      assert.equal((await world.drain()).sent, 1);
      assert.deepEqual(accepted(), [
        { token: 'alice-phone', title: '안녕하세요', body: undefined },
      ]);
    });

    it('when the token moved to another user, then the new owner’s preferences apply', async () => {
      await device('alice', 'shared-phone');
      await prefer('bob', { categories: { marketing: false } });
      const id = await queueTo('shared-phone', { title: 'Sale!', category: 'marketing' });
      await device('bob', 'shared-phone');
      await world.drain();
      assert.equal((await doc('pushes', id)).status, 'suppressed');
    });

    it('when the token is not registered, or the push goes to a topic, then no preferences apply', async () => {
      await prefer('alice', { categories: { marketing: false }, quietHours: NIGHT });
      await device('alice', 'alice-phone', { timezone: 'Asia/Seoul' });
      await outbox({ to: { token: 'unknown-token' }, title: 'Sale!', category: 'marketing' });
      await outbox({ to: { topic: 'news' }, title: 'News', category: 'marketing' });
      const report = await world.drain();
      assert.equal(report.sent, 2);
      assert.equal(report.suppressed, 0);
    });
  });
});
