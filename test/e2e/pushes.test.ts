/**
 * Phase 2 end to end, as in production: the app registers through the Firebase JS SDK, the
 * backend writes business documents, Firestore triggers in the Functions emulator run the checks,
 * and pushes reach the local FCM v1 server with an access token from the local metadata server.
 */
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { Timestamp, type DocumentReference, type DocumentSnapshot } from 'firebase-admin/firestore';
import { LOCAL_PROJECT_ID } from '../../tools/local-env/local-env';
import { clientApp } from '../../tools/local-stack/client-app';
import { fireScheduled } from '../../tools/local-stack/scheduler';
import { eventually } from '../../tools/support/eventually';
import { useE2eWorld } from './e2e-world';

describe('pushes end to end (Functions + Firestore + Auth emulators, local FCM)', () => {
  const TOKEN = 'e2e-phone-token:APA91b-demo';
  const world = useE2eWorld({ phoneToken: TOKEN });

  /** The request document once checkPushRequest has recorded its outcome. */
  const outboxOutcome = (ref: DocumentReference) =>
    eventually(
      async () => {
        const s = await ref.get();
        return s.get('status') ? s : undefined;
      },
      60_000,
      'the outbox outcome',
    );
  const acceptedFor = (pred: (m: Record<string, unknown>) => boolean) =>
    world.google.fcm.accepted.filter((a) => pred(a.message));
  /** What FCM accepted whose data field `key` is `value`. */
  const acceptedWith = (key: string, value: string) =>
    acceptedFor((m) => (m.data as Record<string, string> | undefined)?.[key] === value);

  /** Books appointments/`id` for the phone's user; answers the reminder its check wrote. */
  async function book(id: string, startsAt: Timestamp, title: string): Promise<DocumentSnapshot> {
    await world.fs.db.collection('appointments').doc(id).set({ uid: world.uid, startsAt, title });
    return eventually(
      async () => {
        const snap = await world.fs.db
          .collection('notifications')
          .where('source.path', '==', `appointments/${id}`)
          .get();
        return snap.docs[0];
      },
      60_000,
      'the reminder notification document',
    );
  }

  /** Waits until the reminder's reservedAt has passed, then fires the dispatcher. */
  async function drainWhenDue(reminder: DocumentSnapshot): Promise<void> {
    const dueInMs = reminder.get('reservedAt').toMillis() - Date.now();
    await new Promise((r) => setTimeout(r, Math.max(0, dueInMs) + 200));
    await fireScheduled('drainReservedPushes');
  }

  it('when an order is marked shipped, then the push reaches FCM at once and the result is written back', async () => {
    const t0 = Date.now();
    await world.fs.db.collection('orders').doc('o-100').set({ uid: world.uid, status: 'paid' });
    await world.fs.db.collection('orders').doc('o-100').update({ status: 'shipped' });
    const [arrived] = await eventually(
      () => {
        const hits = acceptedWith('orderId', 'o-100');
        return hits.length ? hits : undefined;
      },
      60_000,
      'the shipped-order push at the FCM server',
    );
    assert.equal(arrived.message.token, TOKEN);
    assert.deepEqual(arrived.message.notification, {
      title: 'Your order has shipped',
      body: 'Order o-100 is on its way.',
    });
    assert.ok(
      world.google.metadata.isIssued(arrived.bearer),
      'sent with a token from the metadata server',
    );
    const push = await eventually(
      async () => {
        const snap = await world.fs.db
          .collection('pushes')
          .where('source.path', '==', 'orders/o-100')
          .get();
        const d = snap.docs[0];
        return d?.get('status') === 'sent' ? d : undefined;
      },
      30_000,
      'the push document to be sent',
    );
    assert.equal(push.get('isSent'), true);
    assert.match(
      push.get('result').messageId,
      new RegExp(`^projects/${LOCAL_PROJECT_ID}/messages/`),
    );
    console.log(
      `    business write -> FCM request: ${arrived.receivedAt - t0} ms (includes a cold start)`,
    );
    assert.equal(acceptedWith('orderId', 'o-100').length, 1);
  });

  it('when an appointment is booked, then a reminder waits for its time and the drain sends it', async () => {
    const startsAt = Timestamp.fromMillis(Date.now() + 60 * 60 * 1000 + 20_000); // reminder due in ~20 s (room for a slow cold start)
    const pending = await book('a-1', startsAt, 'Dentist');
    assert.equal(pending.get('status'), 'pending');
    assert.equal(pending.get('reservedAt').toMillis(), startsAt.toMillis() - 3_600_000);
    if (Date.now() < pending.get('reservedAt').toMillis() - 1_000) {
      await fireScheduled('drainReservedPushes');
      assert.equal((await pending.ref.get()).get('status'), 'pending', 'not sent before its time');
    }
    await drainWhenDue(pending);
    const expanded = await pending.ref.get();
    assert.equal(expanded.get('status'), 'expanded');
    const [deliveryId] = expanded.get('deliveryIds') as string[];
    const delivery = await world.fs.db.collection('pushes').doc(deliveryId).get();
    assert.equal(delivery.get('status'), 'sent');
    assert.equal(delivery.get('pushToken'), TOKEN);
    assert.equal(acceptedWith('appointmentId', 'a-1').length, 1);
  });

  it('when the user signs out and someone else signs in on the same phone before a reminder is due, then the reminder never reaches the phone', async () => {
    const startsAt = Timestamp.fromMillis(Date.now() + 60 * 60 * 1000 + 30_000); // time to sign out and in again before it is due
    const pending = await book('a-2', startsAt, 'Private appointment');
    // Logout on the phone, then a second user signs in there and registers the same token.
    await world.phone.callable('unregisterToken')({ token: TOKEN });
    const nextUser = clientApp();
    try {
      await nextUser.signIn();
      await nextUser.callable('registerToken')({ token: TOKEN, platform: 'android' });
      await drainWhenDue(pending);
      const ended = await pending.ref.get();
      assert.equal(ended.get('status'), 'undeliverable');
      assert.equal(ended.get('result').code, 'NO_DEVICES');
      assert.equal(
        acceptedWith('appointmentId', 'a-2').length,
        0,
        'the previous user’s reminder must not reach the next user',
      );
    } finally {
      await nextUser.close();
      // The phone is the first user's again for the tests below.
      await world.phone.callable('registerToken')({ token: TOKEN, platform: 'android' });
    }
  });

  it('when the backend writes an outbox request, then it is accepted and delivered', async () => {
    const ref = await world.fs.db
      .collection('pushRequests')
      .add({ to: { uid: world.uid }, title: 'Outbox hello', data: { source: 'e2e' } });
    const done = await outboxOutcome(ref);
    assert.equal(done.get('status'), 'accepted');
    assert.equal(done.get('notificationIds').length, 1);
    assert.ok(done.get('deleteAt'), 'a processed request is deleted by TTL after retention');
    await eventually(
      () =>
        acceptedFor((m) => (m.notification as { title?: string })?.title === 'Outbox hello').length
          ? true
          : undefined,
      30_000,
      'outbox push at FCM',
    );
  });

  it('when the backend writes a malformed outbox request, then it is rejected with a reason naming the field', async () => {
    const ref = await world.fs.db
      .collection('pushRequests')
      .add({ to: { uid: world.uid }, title: 'x', data: { count: 3 } });
    const done = await outboxOutcome(ref);
    assert.equal(done.get('status'), 'rejected');
    assert.equal(done.get('field'), 'data.count');
    assert.match(done.get('reason'), /data\.count must be a string/);
  });
});
