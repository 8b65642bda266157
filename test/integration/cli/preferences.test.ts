/**
 * The operator's view of what users control: `fcm-push prefs <uid>`, `show` naming a push's
 * category and why it was suppressed or deferred, and `stats` counting both. The states come
 * from the product's own outbox and expansion code.
 */
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { tokenForLog, tokenIdOf } from '../../../functions/src/core/token-id';
import { jsonOf, useCliWorld } from './cli-world';

/** "HH:MM" in UTC, `minutes` from now. */
const utcClock = (minutes: number) =>
  new Date(Date.now() + minutes * 60_000).toISOString().slice(11, 16);

describe('fcm-push prefs, and show/stats on what users control', () => {
  const world = useCliWorld();

  const phone = (uid: string, meta: { locale?: string; timezone?: string } = {}) =>
    world.tokens.save(
      uid,
      tokenIdOf(`${uid}-phone`),
      { token: `${uid}-phone`, platform: 'ios', ...meta },
      10,
    );
  /** Quiet all day but a minute in the past (UTC): whatever the clock says, now is inside. */
  const alwaysQuiet = () => ({ start: utcClock(-1), end: utcClock(-2) });

  it('when a user set preferences, then prefs prints them and, per device, whether a push would wait now', async () => {
    await phone('amy', { locale: 'ko-KR' });
    const set = await world.stores.preferences.update('amy', {
      categories: { marketing: false, orders: true },
      quietHours: alwaysQuiet(),
      timezone: 'UTC',
    });
    assert.ok(set.ok);

    const run = await world.cli(['prefs', 'amy', '--json']);
    assert.equal(run.code, 0, run.stderr);
    const out = jsonOf<{
      uid: string;
      set: boolean;
      preferences: Record<string, unknown>;
      devices: Array<Record<string, unknown>>;
    }>(run);
    assert.equal(out.set, true);
    assert.deepEqual(out.preferences.categories, { marketing: false, orders: true });
    assert.equal(out.preferences.timezone, 'UTC');
    assert.equal(out.devices.length, 1);
    assert.equal(out.devices[0].token, tokenForLog('amy-phone'));
    assert.equal(out.devices[0].quietNow, true);
    assert.equal(out.devices[0].quietHoursZone, 'UTC');
    assert.equal(out.devices[0].language, 'ko-KR');
    assert.ok(!run.stdout.includes('amy-phone'), 'no FCM token on screen');

    const text = await world.cli(['prefs', 'amy']);
    assert.match(text.stdout, /^categories off: marketing$/m);
    assert.match(text.stdout, /^quiet hours: \d\d:\d\d–\d\d:\d\d in UTC$/m);
    assert.match(text.stdout, /quiet now \(\d\d:\d\d–\d\d:\d\d UTC\) until \d{4}-/);
  });

  it('when a user never set preferences, then prefs says so', async () => {
    const run = await world.cli(['prefs', 'nobody-here']);
    assert.equal(run.code, 0, run.stderr);
    assert.match(run.stdout, /no preferences set: every category on, no quiet hours/);
    assert.match(run.stdout, /^devices: none registered$/m);
  });

  it('when prefs gets no uid, then it is a usage error', async () => {
    assert.equal((await world.cli(['prefs'])).code, 2);
  });

  it('when a notification was suppressed, then show names its category and why; stats counts it', async () => {
    await phone('ben');
    await world.stores.preferences.update('ben', { categories: { marketing: false } });
    const id = await world.queueFor('ben', { category: 'marketing' });
    assert.deepEqual(await world.expand([id]), []);

    const run = await world.cli(['show', id, '--json']);
    const view = jsonOf<Record<string, unknown>>(run);
    assert.equal(view.status, 'suppressed');
    assert.equal(view.category, 'marketing');
    assert.equal(
      view.why,
      'suppressed: the user turned category "marketing" off (OPTED_OUT:marketing)',
    );
    const text = await world.cli(['show', id]);
    assert.match(text.stdout, /^category: marketing$/m);
    assert.match(text.stdout, /^why: suppressed: the user turned category "marketing" off/m);

    const stats = jsonOf<{
      notifications: { failureCodes: Record<string, number> };
      preferences: Record<string, number>;
    }>(await world.cli(['stats', '--json']));
    assert.equal(stats.notifications.failureCodes.OPTED_OUT, 1);
    assert.equal(stats.preferences.suppressedNotifications, 1);
  });

  it('when a delivery waits for quiet hours, then show says until when, on the delivery and on its notification; stats counts it waiting', async () => {
    await phone('cat', { timezone: 'UTC' });
    await world.stores.preferences.update('cat', { quietHours: alwaysQuiet() });
    const id = await world.queueFor('cat', { category: 'orders' });
    assert.deepEqual(await world.expand([id]), [], 'nothing is due now');
    const [deliveryId] = (await world.notification(id)).get('deliveryIds') as string[];

    const delivery = jsonOf<Record<string, unknown>>(
      await world.cli(['show', deliveryId!, '--json']),
    );
    assert.equal(delivery.status, 'pending');
    assert.equal(delivery.category, 'orders');
    assert.match(
      String(delivery.why),
      /^deferred: Deferred by quiet hours \d\d:\d\d–\d\d:\d\d UTC to \d{4}-/,
    );
    const deliveryText = await world.cli(['show', deliveryId!]);
    assert.match(deliveryText.stdout, /deferred QUIET_HOURS until \d{4}-/);

    const notification = await world.cli(['show', id]);
    assert.match(
      notification.stdout,
      /^why: 1 of 1 deliveries wait for the user's quiet hours to end$/m,
    );
    assert.match(notification.stdout, /pending .*QUIET_HOURS {2}due \d{4}-/);

    const stats = jsonOf<{ preferences: Record<string, number> }>(
      await world.cli(['stats', '--json']),
    );
    assert.equal(stats.preferences.waitingForQuietHours, 1);
    assert.match(
      (await world.cli(['stats'])).stdout,
      /^preferences: suppressed \(category off\) 0 notifications, 0 token pushes; waiting for quiet hours 1 pushes$/m,
    );
  });
});
