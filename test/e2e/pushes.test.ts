/**
 * Phase 2 end to end, as in production: the app registers through the Firebase JS SDK, the
 * backend writes business documents, Firestore triggers in the Functions emulator run the checks,
 * and pushes reach the local FCM v1 server with an access token from the local metadata server.
 */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { Timestamp, type DocumentReference } from 'firebase-admin/firestore';
import { LOCAL_PROJECT_ID } from '../../tools/local-env/local-env';
import { startDemoGoogle, type LocalGoogle } from '../../tools/local-google/demo-google';
import { clientApp, type ClientApp } from '../../tools/local-stack/client-app';
import { fireScheduled } from '../../tools/local-stack/scheduler';
import { eventually } from '../../tools/support/eventually';
import { connectTestFirestore, type TestFirestore } from '../support/emulated-firestore';

describe('pushes end to end (Functions + Firestore + Auth emulators, local FCM)', () => {
  let fs: TestFirestore;
  let phone: ClientApp;
  let google: LocalGoogle;
  let uid: string;
  const TOKEN = 'e2e-phone-token:APA91b-demo';

  before(async () => {
    fs = connectTestFirestore();
    await fs.reset();
    google = await startDemoGoogle();
    phone = clientApp();
    uid = await phone.signIn();
    await phone.callable('registerToken')({ token: TOKEN, platform: 'android' });
  });
  after(async () => {
    await phone.close();
    await google.close();
    await fs.close();
  });

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
    google.fcm.accepted.filter((a) => pred(a.message));

  it('when an order is marked shipped, then the push reaches FCM at once and the result is written back', async () => {
    const t0 = Date.now();
    await fs.db.collection('orders').doc('o-100').set({ uid, status: 'paid' });
    await fs.db.collection('orders').doc('o-100').update({ status: 'shipped' });
    const [arrived] = await eventually(
      () => {
        const hits = acceptedFor((m) => (m.data as Record<string, string>)?.orderId === 'o-100');
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
      google.metadata.isIssued(arrived.bearer),
      'sent with a token from the metadata server',
    );
    const push = await eventually(
      async () => {
        const snap = await fs.db
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
    assert.equal(
      acceptedFor((m) => (m.data as Record<string, string>)?.orderId === 'o-100').length,
      1,
    );
  });

  it('when an appointment is booked, then a reminder waits for its time and the drain sends it', async () => {
    const startsAt = Timestamp.fromMillis(Date.now() + 60 * 60 * 1000 + 20_000); // reminder due in ~20 s (room for a slow cold start)
    await fs.db.collection('appointments').doc('a-1').set({ uid, startsAt, title: 'Dentist' });
    const pending = await eventually(
      async () => {
        const snap = await fs.db
          .collection('notifications')
          .where('source.path', '==', 'appointments/a-1')
          .get();
        return snap.docs[0];
      },
      60_000,
      'the reminder notification document',
    );
    assert.equal(pending.get('status'), 'pending');
    assert.equal(pending.get('reservedAt').toMillis(), startsAt.toMillis() - 3_600_000);
    if (Date.now() < pending.get('reservedAt').toMillis() - 1_000) {
      await fireScheduled('drainReservedPushes');
      assert.equal((await pending.ref.get()).get('status'), 'pending', 'not sent before its time');
    }
    await new Promise((r) =>
      setTimeout(r, Math.max(0, pending.get('reservedAt').toMillis() - Date.now()) + 200),
    );
    await fireScheduled('drainReservedPushes');
    const expanded = await pending.ref.get();
    assert.equal(expanded.get('status'), 'expanded');
    const [deliveryId] = expanded.get('deliveryIds') as string[];
    const delivery = await fs.db.collection('pushes').doc(deliveryId).get();
    assert.equal(delivery.get('status'), 'sent');
    assert.equal(delivery.get('pushToken'), TOKEN);
    assert.equal(
      acceptedFor((m) => (m.data as Record<string, string>)?.appointmentId === 'a-1').length,
      1,
    );
  });

  it('when the user signs out and someone else signs in on the same phone before a reminder is due, then the reminder never reaches the phone', async () => {
    const startsAt = Timestamp.fromMillis(Date.now() + 60 * 60 * 1000 + 30_000); // time to sign out and in again before it is due
    await fs.db
      .collection('appointments')
      .doc('a-2')
      .set({ uid, startsAt, title: 'Private appointment' });
    const pending = await eventually(
      async () => {
        const snap = await fs.db
          .collection('notifications')
          .where('source.path', '==', 'appointments/a-2')
          .get();
        return snap.docs[0];
      },
      60_000,
      'the reminder notification document',
    );
    // Logout on the phone, then a second user signs in there and registers the same token.
    await phone.callable('unregisterToken')({ token: TOKEN });
    const nextUser = clientApp();
    try {
      await nextUser.signIn();
      await nextUser.callable('registerToken')({ token: TOKEN, platform: 'android' });
      await new Promise((r) =>
        setTimeout(r, Math.max(0, pending.get('reservedAt').toMillis() - Date.now()) + 200),
      );
      await fireScheduled('drainReservedPushes');
      const ended = await pending.ref.get();
      assert.equal(ended.get('status'), 'undeliverable');
      assert.equal(ended.get('result').code, 'NO_DEVICES');
      assert.equal(
        acceptedFor((m) => (m.data as Record<string, string>)?.appointmentId === 'a-2').length,
        0,
        'the previous user’s reminder must not reach the next user',
      );
    } finally {
      await nextUser.close();
      // The phone is the first user's again for the tests below.
      await phone.callable('registerToken')({ token: TOKEN, platform: 'android' });
    }
  });

  it('when the backend writes an outbox request, then it is accepted and delivered', async () => {
    const ref = await fs.db
      .collection('pushRequests')
      .add({ to: { uid }, title: 'Outbox hello', data: { source: 'e2e' } });
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
    const ref = await fs.db
      .collection('pushRequests')
      .add({ to: { uid }, title: 'x', data: { count: 3 } });
    const done = await outboxOutcome(ref);
    assert.equal(done.get('status'), 'rejected');
    assert.equal(done.get('field'), 'data.count');
    assert.match(done.get('reason'), /data\.count must be a string/);
  });
});
