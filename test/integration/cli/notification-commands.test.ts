/**
 * `fcm-push show | cancel | list --notifications | retry` on notifications (one per request for a
 * user, expanded into device deliveries when due), put into their states by the product's own
 * outbox, expansion and delivery code.
 */
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { tokenForLog } from '../../../functions/src/core/token-id';
import { changedWhileCancelled, jsonOf, useCliWorld } from './cli-world';

type Outcomes = {
  items: Array<{ id: string; kind?: string; ok: boolean; reason?: string; message?: string }>;
};

interface NotificationView {
  id: string;
  kind: string;
  status: string;
  uid: string;
  title: string;
  content: string;
  deliveryIds?: string[];
  deliveries: Array<{ id: string; status: string; target: string; code?: string }>;
  history: Array<{ event: string }>;
}

describe('fcm-push on notifications', () => {
  const world = useCliWorld();

  const LATER = () => ({ reservedAt: Date.now() + 3_600_000 });

  /** A notification for `uid` expanded to its two devices: one sent, one rejected. */
  async function expandedAndDelivered(uid: string) {
    await world.device(uid, `${uid}-phone`);
    await world.device(uid, `${uid}-tablet`);
    const id = await world.queueFor(uid, { title: 'Your order shipped', content: 'Order 7' });
    const deliveryIds = await world.expand([id]);
    assert.equal(deliveryIds.length, 2);
    world.fcm.rules.forToken(`${uid}-tablet`, { kind: 'error', code: 'SENDER_ID_MISMATCH' }, 1);
    await world.deliver(deliveryIds);
    return { id, deliveryIds };
  }

  it('when showing an expanded notification, then its content, status, uid and each delivery with its status and result are printed', async () => {
    const { id, deliveryIds } = await expandedAndDelivered('ann');
    const run = await world.cli(['show', id, '--json']);
    assert.equal(run.code, 0, run.stderr);
    const view = jsonOf<NotificationView>(run);
    assert.equal(view.id, id);
    assert.equal(view.kind, 'notification');
    assert.equal(view.status, 'expanded');
    assert.equal(view.uid, 'ann');
    assert.equal(view.title, 'Your order shipped');
    assert.equal(view.content, 'Order 7');
    assert.deepEqual(view.deliveries.map((d) => d.id).sort(), [...deliveryIds].sort());
    const byTarget = Object.fromEntries(view.deliveries.map((d) => [d.target, d]));
    assert.equal(byTarget[`token ${tokenForLog('ann-phone')}`]!.status, 'sent');
    const tablet = byTarget[`token ${tokenForLog('ann-tablet')}`]!;
    assert.deepEqual([tablet.status, tablet.code], ['rejected', 'SENDER_ID_MISMATCH']);
    assert.deepEqual(
      view.history.map((h) => h.event),
      ['queued', 'claimed', 'expanded'],
    );
    assert.ok(!run.stdout.includes('ann-phone') && !run.stdout.includes('ann-tablet'));

    const text = await world.cli(['show', id]);
    assert.equal(text.code, 0, text.stderr);
    assert.match(text.stdout, /^kind: notification$/m);
    assert.match(text.stdout, /^status: expanded$/m);
    assert.match(text.stdout, /^uid: ann$/m);
    assert.match(text.stdout, /^deliveries \(2\):$/m);
    assert.match(
      text.stdout,
      new RegExp(
        `^ {2}\\S+ {2}rejected +token ${tokenForLog('ann-tablet')} {2}attempts=1 {2}SENDER_ID_MISMATCH$`,
        'm',
      ),
    );
    assert.match(text.stdout, /^history:\n {2}\S+ queued\n {2}\S+ claimed by test-expand/m);
  });

  it('when showing a delivery, then it is a push that names its notificationId and shows its token only as a hash', async () => {
    const { id, deliveryIds } = await expandedAndDelivered('bo');
    const run = await world.cli(['show', deliveryIds[0]!, '--json']);
    assert.equal(run.code, 0, run.stderr);
    const view = jsonOf<Record<string, unknown>>(run);
    assert.equal(view.kind, 'push');
    assert.equal(view.notificationId, id);
    assert.equal(view.uid, 'bo');
    assert.match(String(view.pushToken), /^sha256:[0-9a-f]{12}$/);
    assert.ok(!run.stdout.includes('bo-phone') && !run.stdout.includes('bo-tablet'));
  });

  it('when showing a pending notification, then it says its deliveries are created when it is due', async () => {
    const id = await world.queueFor('cy', LATER());
    const run = await world.cli(['show', id]);
    assert.equal(run.code, 0, run.stderr);
    assert.match(run.stdout, /^status: pending$/m);
    assert.match(
      run.stdout,
      /^deliveries: none yet \(created when it is due, one per device the user has then\)$/m,
    );
    const json = jsonOf<NotificationView>(await world.cli(['show', id, '--json']));
    assert.deepEqual(json.deliveries, []);
  });

  it('when cancelling a pending notification, then it is cancelled with a history entry and a drain neither expands nor sends it', async () => {
    await world.device('dee', 'dee-phone');
    const due = await world.queueFor('dee');
    const later = await world.queueFor('dee', LATER());
    const run = await world.cli(['cancel', due, later, 'ghost', '--json']);
    assert.equal(run.code, 1, 'the unknown id was not cancelled');
    const out = jsonOf<Outcomes & { cancelled: number }>(run);
    assert.equal(out.cancelled, 2);
    assert.deepEqual(
      out.items.map((o) => [o.id, o.kind, o.ok, o.reason]),
      [
        [due, 'notification', true, undefined],
        [later, 'notification', true, undefined],
        ['ghost', undefined, false, 'not-found'],
      ],
    );
    assert.equal(out.items[2]!.message, 'ghost not found: no notification or push has this id.');
    for (const id of [due, later]) {
      const d = await world.notification(id);
      assert.equal(d.get('status'), 'cancelled');
      assert.equal(d.get('nextAttemptAt'), undefined);
      assert.equal(d.get('result').code, 'CANCELLED');
      const last = d.get('history').at(-1);
      assert.equal(last.event, 'cancelled');
      assert.match(last.by, /^fcm-push/);
    }
    const report = await world.drain();
    assert.equal(report.expanded, 0);
    assert.equal((await world.fs.db.collection('pushes').get()).size, 0);
    assert.equal(world.fcm.accepted.length, 0);

    const text = await world.cli(['cancel', due]);
    assert.equal(text.code, 1);
    assert.match(
      text.stdout,
      new RegExp(
        `^${due} {2}not cancelled: notification ${due} is cancelled \\(it was cancelled\\): only pending notifications can be cancelled\\.$`,
        'm',
      ),
    );
  });

  it('when cancelling an expanding or expanded notification, then it is refused and left as it is', async () => {
    await world.device('eve', 'eve-phone');
    const expanding = await world.queueFor('eve');
    const snaps = await world.stores.notifications.getAll([expanding]);
    const claimed = await world.stores.notifications.claim(snaps, {
      nowMs: Date.now(),
      leaseMs: 60_000,
      runId: 'drain-1',
    });
    assert.equal(claimed.length, 1);
    const expanded = await world.queueFor('eve');
    await world.expand([expanded]);
    const before = await Promise.all([expanding, expanded].map((id) => world.notification(id)));

    const run = await world.cli(['cancel', expanding, expanded]);
    assert.equal(run.code, 1);
    assert.match(
      run.stdout,
      /is expanding \(it is being expanded into device deliveries right now\): only pending notifications can be cancelled/,
    );
    assert.match(
      run.stdout,
      /is expanded \(its device deliveries are in pushes: cancel those by id \(fcm-push show lists them\)\)/,
    );
    assert.match(run.stdout, /^0 cancelled, 2 not cancelled$/m);
    const after = await Promise.all([expanding, expanded].map((id) => world.notification(id)));
    after.forEach((d, i) =>
      assert.ok(d.updateTime!.isEqual(before[i]!.updateTime!), `${d.id} changed`),
    );
  });

  it('when a drain claims a notification after the operator read it, then the cancel is refused and the notification stays with the drain', async () => {
    await world.device('fay', 'fay-phone');
    const id = await world.queueFor('fay');
    const outcome = await world.cancelAfterDrainClaimed('notification', id);
    assert.deepEqual(outcome, changedWhileCancelled('notification', id, 'expanding'));
    const now = await world.notification(id);
    assert.equal(now.get('status'), 'expanding');
    assert.equal(now.get('claimedBy'), 'drain-1');
  });

  it('when listing with --notifications, then notifications come back newest first, by status, and push statuses are refused', async () => {
    const now = Date.now();
    await world.device('gus', 'gus-phone');
    const oldest = await world.queueFor('gus', LATER(), now - 3_000);
    const expanded = await world.queueFor('gus', {}, now - 2_000);
    await world.expand([expanded]);
    const newest = await world.queueFor('hal', LATER(), now - 1_000);
    await world.queue('not-a-notification', LATER(), now);

    const all = await world.cli(['list', '--notifications', '--json']);
    assert.equal(all.code, 0, all.stderr);
    const rows = jsonOf<{
      notifications: Array<{ id: string; status: string; target: string; deliveries?: number }>;
    }>(all).notifications;
    assert.deepEqual(
      rows.map((r) => [r.id, r.status, r.target]),
      [
        [newest, 'pending', 'user hal'],
        [expanded, 'expanded', 'user gus'],
        [oldest, 'pending', 'user gus'],
      ],
    );
    assert.equal(rows[1]!.deliveries, 1);

    const limited = jsonOf<{ notifications: Array<{ id: string }> }>(
      await world.cli(['list', '--notifications', '--limit', '2', '--json']),
    );
    assert.deepEqual(
      limited.notifications.map((r) => r.id),
      [newest, expanded],
    );
    const pending = jsonOf<{ notifications: Array<{ id: string }> }>(
      await world.cli(['list', '--notifications', '--status', 'pending', '--json']),
    );
    assert.deepEqual(
      pending.notifications.map((r) => r.id),
      [newest, oldest],
    );
    const text = await world.cli(['list', '--notifications', '--status', 'undeliverable']);
    assert.equal(text.stdout, 'no notifications with status undeliverable\n');
    const wrong = await world.cli(['list', '--notifications', '--status', 'sent']);
    assert.equal(wrong.code, 2);
    assert.match(wrong.stderr, /--status of notifications must be one of pending, expanding/);
  });

  it('when retrying a notification id, then it is refused and its deliveries are named as what to retry', async () => {
    const { id } = await expandedAndDelivered('ida');
    const run = await world.cli(['retry', id, '--json']);
    assert.equal(run.code, 1);
    const out = jsonOf<Outcomes>(run);
    assert.deepEqual(
      out.items.map((o) => [o.id, o.kind, o.reason]),
      [[id, 'notification', 'refused']],
    );
    assert.match(out.items[0]!.message!, /is a notification: retry works on pushes/);
  });
});
