/**
 * The demo's story, against a running `npm start`: an app signs in and registers its FCM token,
 * the backend ships an order (an immediate push) and books an appointment (a reminder reserved
 * for one hour before it starts); a second user who turned marketing off and is in their quiet
 * hours gets a sale push suppressed and a summary deferred. Everything goes through the real
 * paths: the Firebase JS SDK, the callables, Firestore triggers, the drain, the local FCM server.
 */
import { randomUUID } from 'node:crypto';
import { Timestamp, type Firestore, type QueryDocumentSnapshot } from 'firebase-admin/firestore';
import { shortTarget } from '../local-google/fcm-server';
import { eventually } from '../support/eventually';
import { clientApp } from './client-app';

export interface DemoOptions {
  /** The reminder is due this long from now (the appointment starts one hour later). */
  reminderInMs: number;
  /** Also wait until the drain has sent the reminder. */
  waitForReminder: boolean;
}

export interface DemoResult {
  uid: string;
  target: string;
  order: { id: string; pushId: string; messageId: string };
  reminder: { id: string; pushId: string; reservedAt: Date; messageId?: string };
  /** The second user's pushes: one suppressed (category off), one deferred (quiet hours). */
  preferences: { uid: string; suppressedId: string; deferredId: string; dueAt: Date };
}

const HOUR_MS = 60 * 60 * 1000;

const clock = (d: Date) => d.toTimeString().slice(0, 8);

function inWords(ms: number): string {
  const s = Math.max(0, Math.round(ms / 1000));
  return s < 90 ? `${s} s` : `${Math.round(s / 60)} min`;
}

async function pushFor(
  db: Firestore,
  collection: 'pushes' | 'notifications',
  sourcePath: string,
  accept: (doc: QueryDocumentSnapshot) => boolean,
  timeoutMs: number,
  what: string,
): Promise<QueryDocumentSnapshot> {
  return eventually(
    async () => {
      const snap = await db.collection(collection).where('source.path', '==', sourcePath).get();
      return snap.docs.find(accept);
    },
    timeoutMs,
    what,
  );
}

/** "HH:MM" on `zone`'s wall clock at `ms`. */
function wallClock(ms: number, zone: string): string {
  return new Intl.DateTimeFormat('en-GB', {
    timeZone: zone,
    hour: '2-digit',
    minute: '2-digit',
    hourCycle: 'h23',
  }).format(new Date(ms));
}

/**
 * What users control: a second user on another device turns marketing off and sets quiet hours
 * that began a minute ago and end in half an hour, in this machine's time zone. The backend then
 * writes two outbox documents for them: a sale (category marketing), which ends `suppressed`, and
 * a weekly summary with a Korean variant, whose delivery waits until the quiet hours end.
 */
async function whatUsersControl(
  db: Firestore,
  run: string,
  print: (line: string) => void,
): Promise<DemoResult['preferences']> {
  const tablet = clientApp();
  try {
    const uid = await tablet.signIn();
    const zone = Intl.DateTimeFormat().resolvedOptions().timeZone || 'UTC';
    const token = `demo-device-${run}-b:APA91b-${randomUUID()}`;
    await tablet.callable('registerToken')({
      token,
      platform: 'android',
      locale: 'ko-KR',
      timezone: zone,
    });
    const quietHours = {
      start: wallClock(Date.now() - 60_000, zone),
      end: wallClock(Date.now() + 30 * 60_000, zone),
    };
    await tablet.callable('setPushPreferences')({
      categories: { marketing: false },
      quietHours,
      timezone: zone,
    });
    print(
      `second user ${uid} (device ${shortTarget({ token })}, ko-KR): setPushPreferences marketing off, quiet hours ${quietHours.start}–${quietHours.end} ${zone}`,
    );

    const sale = db.collection('pushRequests').doc(`demo-sale-${run}`);
    const summary = db.collection('pushRequests').doc(`demo-summary-${run}`);
    await sale.set({
      to: { uid },
      title: 'Weekend sale',
      content: '20% off',
      category: 'marketing',
    });
    await summary.set({
      to: { uid },
      title: 'Your weekly summary',
      content: '3 orders this week',
      category: 'news',
      localized: { ko: { title: '주간 요약', content: '이번 주 주문 3건' } },
    });
    print(
      `pushRequests: "Weekend sale" (category marketing), "Your weekly summary" (category news, with a ko variant)`,
    );
    const suppressed = await pushFor(
      db,
      'notifications',
      sale.path,
      (d) => d.get('status') === 'suppressed',
      60_000,
      'the sale notification to be suppressed',
    );
    print(
      `  suppressed: notifications/${suppressed.id} ${suppressed.get('result')?.code} (never sent)`,
    );
    const deferred = await pushFor(
      db,
      'pushes',
      summary.path,
      (d) => d.get('status') === 'pending' && d.get('result')?.code === 'QUIET_HOURS',
      60_000,
      'the summary delivery to wait for quiet hours',
    );
    const dueAt = (deferred.get('nextAttemptAt') as Timestamp).toDate();
    print(
      `  deferred: pushes/${deferred.id} "${deferred.get('title')}" (${deferred.get('contentLocale')}) waits for quiet hours, due ${clock(dueAt)} (in ${inWords(dueAt.getTime() - Date.now())}); see \`npx fcm-push show ${deferred.id}\`, \`npx fcm-push prefs ${uid}\``,
    );
    return { uid, suppressedId: suppressed.id, deferredId: deferred.id, dueAt };
  } finally {
    await tablet.close();
  }
}

export async function runDemo(
  db: Firestore,
  options: DemoOptions,
  print: (line: string) => void,
): Promise<DemoResult> {
  const run = randomUUID().slice(0, 8);
  const phone = clientApp();
  try {
    const uid = await phone.signIn();
    print(`signed in through the Auth emulator as anonymous user ${uid}`);
    // What a real device gets from FCM; the local server accepts any token it has not been told
    // is unregistered.
    const token = `demo-device-${run}:APA91b-${randomUUID()}`;
    const target = shortTarget({ token });
    await phone.callable('registerToken')({ token, platform: 'android', locale: 'en-US' });
    print(`registerToken: device ${target} saved for this user`);

    const orderId = `demo-order-${run}`;
    const order = db.collection('orders').doc(orderId);
    await order.set({ uid, status: 'paid' });
    const shippedAt = Date.now();
    await order.update({ status: 'shipped' });
    print(`orders/${orderId}: paid -> shipped`);
    const sent = await pushFor(
      db,
      'pushes',
      `orders/${orderId}`,
      (d) => d.get('status') === 'sent',
      60_000,
      `the shipped-order push to be sent (is \`npm start\` still running?)`,
    );
    const messageId = String(sent.get('result')?.messageId);
    print(
      `  immediate push sent ${inWords(Date.now() - shippedAt)} after the write: ${messageId} (pushes/${sent.id})`,
    );

    const preferences = await whatUsersControl(db, run, print);

    const appointmentId = `demo-appointment-${run}`;
    const startsAt = new Date(Date.now() + HOUR_MS + options.reminderInMs);
    await db
      .collection('appointments')
      .doc(appointmentId)
      .set({ uid, startsAt: Timestamp.fromDate(startsAt), title: 'Dentist' });
    print(`appointments/${appointmentId}: "Dentist" at ${clock(startsAt)}`);
    // A reminder is one notification for the user until it is due; then the drain resolves the
    // user's devices at that moment and sends one delivery (a `pushes` document) to each.
    const pending = await pushFor(
      db,
      'notifications',
      `appointments/${appointmentId}`,
      () => true,
      60_000,
      'the reminder notification document',
    );
    const reservedAt = (pending.get('reservedAt') as Timestamp).toDate();
    print(
      `  reminder waiting: notifications/${pending.id} status ${pending.get('status')}, reservedAt ${clock(reservedAt)} (in ${inWords(reservedAt.getTime() - Date.now())})`,
    );
    const result: DemoResult = {
      uid,
      target,
      order: { id: orderId, pushId: sent.id, messageId },
      reminder: { id: appointmentId, pushId: pending.id, reservedAt },
      preferences,
    };
    if (!options.waitForReminder) {
      print('  the drain sends it at the first run after that: watch the `npm start` terminal');
      return result;
    }
    print('  waiting for the drain to send it…');
    const reminderSent = await eventually(
      async () => {
        const snap = await pending.ref.get();
        const [deliveryId] = (snap.get('deliveryIds') as string[] | undefined) ?? [];
        if (!deliveryId) return undefined;
        const delivery = await db.collection('pushes').doc(deliveryId).get();
        return delivery.get('status') === 'sent' ? delivery : undefined;
      },
      reservedAt.getTime() - Date.now() + 3 * 60_000,
      'the drain to send the reminder',
    );
    result.reminder.messageId = String(reminderSent.get('result')?.messageId);
    print(`  reminder sent: ${result.reminder.messageId}`);
    return result;
  } finally {
    await phone.close();
  }
}
