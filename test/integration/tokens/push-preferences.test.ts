/**
 * setPushPreferences / getPushPreferences through the deployed callables' handlers (`.run`, as
 * the Functions runtime runs them after decoding the request), against the Firestore emulator:
 * what is stored and answered, merging, refusals that name the field and write nothing, the same
 * gate as the token callables (sign-in, App Check, the shared rate limit, the size bound), and a
 * preference set through the callable taking effect on the outbox and the drain.
 */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { PUSH_PREFERENCES } from '../../../functions/src/adapters/preference-store';
import { createStores } from '../../../functions/src/adapters/stores';
import { defaultParamEnv } from '../../../functions/src/config/defaults';
import { MAX_CATEGORIES } from '../../../functions/src/core/preferences';
import { getPushPreferences } from '../../../functions/src/triggers/get-push-preferences';
import { registerToken } from '../../../functions/src/triggers/register-token';
import { setPushPreferences } from '../../../functions/src/triggers/set-push-preferences';
import { drainDuePushes } from '../../../functions/src/use-cases/drain-pushes';
import { processPushRequest } from '../../../functions/src/use-cases/outbox';
import {
  callableRequest as request,
  httpsError,
  newUid as newUserId,
} from '../../support/callable-request';
import { useTestFirestore } from '../../support/emulated-firestore';
import { useParamEnv } from '../../support/param-env';
import { startLocalFcm, type LocalFcm } from '../../../tools/local-google/local-fcm';

const PARAMS = {
  ...defaultParamEnv(),
  ENFORCE_APP_CHECK: 'false',
  TOKEN_CALLS_PER_MINUTE: '1000',
};

const newUid = () => newUserId('prefs-user');

describe('setPushPreferences / getPushPreferences callables (.run, Firestore emulator)', () => {
  const fs = useTestFirestore();
  useParamEnv(PARAMS);

  const stored = (uid: string) => fs.db.collection(PUSH_PREFERENCES).doc(uid).get();

  it('when a user sets every field, then they are stored normalised in pushPreferences/{uid} and answered', async () => {
    const uid = newUid();
    const answer = await setPushPreferences.run(
      request(
        {
          categories: { marketing: false, order_updates: true },
          quietHours: { start: '22:00', end: '07:30' },
          timezone: 'asia/seoul',
          locale: 'ko_KR',
        },
        { uid },
      ),
    );
    const expected = {
      categories: { marketing: false, order_updates: true },
      quietHours: { start: '22:00', end: '07:30' },
      timezone: 'Asia/Seoul',
      locale: 'ko-KR',
    };
    assert.deepEqual(answer, expected);
    const doc = (await stored(uid)).data()!;
    assert.deepEqual(
      {
        categories: doc.categories,
        quietHours: doc.quietHours,
        timezone: doc.timezone,
        locale: doc.locale,
      },
      expected,
    );
    assert.equal(doc.uid, uid);
    assert.ok(doc.updatedAt && doc.createdAt);
    assert.deepEqual(await getPushPreferences.run(request({}, { uid })), expected);
  });

  it('when a user never set anything, then getPushPreferences answers the defaults', async () => {
    assert.deepEqual(await getPushPreferences.run(request(undefined)), {
      categories: {},
      quietHours: null,
      timezone: null,
      locale: null,
    });
  });

  it('when a second call names other categories, then they are merged; null clears quiet hours; absent fields stay', async () => {
    const uid = newUid();
    await setPushPreferences.run(
      request(
        {
          categories: { marketing: false },
          quietHours: { start: '23:00', end: '06:00' },
          timezone: 'Europe/Berlin',
        },
        { uid },
      ),
    );
    const answer = await setPushPreferences.run(
      request({ categories: { news: false, marketing: true }, quietHours: null }, { uid }),
    );
    assert.deepEqual(answer, {
      categories: { marketing: true, news: false },
      quietHours: null,
      timezone: 'Europe/Berlin',
      locale: null,
    });
    assert.equal((await stored(uid)).get('quietHours'), null);
  });

  const refusals: Array<[string, unknown, string]> = [
    ['25:00', { quietHours: { start: '25:00', end: '07:00' } }, 'quietHours.start'],
    ['an unknown zone', { timezone: 'Mars/Olympus' }, 'timezone'],
    ['a locale that is not a tag', { locale: 'english please' }, 'locale'],
    ['an unknown category shape', { categories: { 'my news!': false } }, 'categories.my news!'],
    [
      'a category that is not a boolean',
      { categories: { marketing: 'off' } },
      'categories.marketing',
    ],
    [
      'an oversized map',
      {
        categories: Object.fromEntries(
          Array.from({ length: MAX_CATEGORIES + 1 }, (_, i) => [`c${i}`, false]),
        ),
      },
      'categories',
    ],
    ['an unknown field', { doNotDisturb: true }, 'doNotDisturb'],
    ['data over 8 KiB', { locale: 'x'.repeat(9000) }, '(data)'],
  ];
  for (const [what, data, field] of refusals) {
    it(`when ${what} is sent, then invalid-argument names ${field} and nothing is written`, async () => {
      const uid = newUid();
      await setPushPreferences.run(request({ categories: { marketing: false } }, { uid }));
      const before = (await stored(uid)).updateTime;
      const err = await httpsError(setPushPreferences.run(request(data, { uid })));
      assert.equal(err.code, 'invalid-argument');
      assert.deepEqual(err.details, { field });
      const after = await stored(uid);
      assert.deepEqual(after.updateTime, before, 'the stored preferences are untouched');
      assert.deepEqual(after.get('categories'), { marketing: false });
    });
  }

  it('when a merge would keep more categories than allowed, then it is refused and nothing is written', async () => {
    const uid = newUid();
    const full = Object.fromEntries(
      Array.from({ length: MAX_CATEGORIES }, (_, i) => [`c${i}`, false]),
    );
    await setPushPreferences.run(request({ categories: full }, { uid }));
    const err = await httpsError(
      setPushPreferences.run(request({ categories: { one_more: false } }, { uid })),
    );
    assert.deepEqual(err.details, { field: 'categories' });
    assert.equal(Object.keys((await stored(uid)).get('categories')).length, MAX_CATEGORIES);
  });

  it('when the caller is not signed in, then both callables are unauthenticated and nothing is written', async () => {
    for (const fn of [setPushPreferences, getPushPreferences]) {
      const err = await httpsError(fn.run(request({ categories: { a: false } }, { uid: null })));
      assert.equal(err.code, 'unauthenticated');
    }
    assert.equal((await fs.db.collection(PUSH_PREFERENCES).get()).size, 0);
  });

  it('when ENFORCE_APP_CHECK=true and the call has no App Check token, then it is unauthenticated and writes nothing', async () => {
    process.env.ENFORCE_APP_CHECK = 'true';
    const uid = newUid();
    const err = await httpsError(
      setPushPreferences.run(request({ categories: { a: false } }, { uid, app: false })),
    );
    assert.equal(err.code, 'unauthenticated');
    assert.match(err.message, /App Check/);
    assert.equal((await stored(uid)).exists, false);
    assert.deepEqual(
      await setPushPreferences.run(request({ categories: { a: false } }, { uid, app: true })),
      { categories: { a: false }, quietHours: null, timezone: null, locale: null },
    );
  });

  it('when a user spends TOKEN_CALLS_PER_MINUTE on token and preference calls together, then the next is resource-exhausted', async () => {
    process.env.TOKEN_CALLS_PER_MINUTE = '2';
    const uid = newUid();
    await registerToken.run(request({ token: 'limit-phone', platform: 'ios' }, { uid }));
    await setPushPreferences.run(request({ categories: { a: false } }, { uid }));
    const err = await httpsError(getPushPreferences.run(request({}, { uid })));
    assert.equal(err.code, 'resource-exhausted');
  });

  describe('a preference set through the callable, then a push through the outbox and the drain', () => {
    let fcm: LocalFcm;
    before(async () => {
      fcm = await startLocalFcm({ timeoutMs: 1_000 });
    });
    after(() => fcm.close());

    it('when the user turned marketing off and set quiet hours, then a marketing push is suppressed and an order update waits for the morning', async () => {
      const uid = newUid();
      const token = `prefs-phone-${uid}`;
      await registerToken.run(
        request({ token, platform: 'android', timezone: 'Asia/Seoul' }, { uid }),
      );
      // Quiet all day except the minute before now in the device's zone: whatever the real time,
      // "now" is inside the window.
      const nowMs = Date.now();
      const local = new Date(nowMs + 9 * 3_600_000); // Asia/Seoul is UTC+9 all year
      const hhmm = (d: Date) => d.toISOString().slice(11, 16);
      const start = hhmm(new Date(local.getTime() - 60_000));
      const end = hhmm(new Date(local.getTime() - 120_000));
      await setPushPreferences.run(
        request({ categories: { marketing: false }, quietHours: { start, end } }, { uid }),
      );

      const deps = {
        ...createStores(fs.db),
        sender: fcm.sender,
        now: () => nowMs,
        random: () => 0,
      };
      const queue = async (data: Record<string, unknown>, id: string) => {
        const path = `pushRequests/${id}-${uid}`;
        await fs.db.doc(path).set(data);
        const outcome = await processPushRequest(deps, { path, createTimeMs: nowMs, data }, nowMs);
        assert.equal(outcome.status, 'accepted', JSON.stringify(outcome));
        return outcome.status === 'accepted' ? outcome.queued.notificationIds[0] : '';
      };
      const sale = await queue({ to: { uid }, title: 'Sale', category: 'marketing' }, 'sale');
      const order = await queue({ to: { uid }, title: 'Shipped', category: 'orders' }, 'order');
      const report = await drainDuePushes(deps, {
        batchSize: 50,
        timeBudgetMs: 30_000,
        leaseMs: 60_000,
        leaseSafetyMs: 5_000,
        maxAttempts: 3,
        backoffBaseMs: 10_000,
        quietHoursSpreadMs: 0,
        runId: 'prefs-drain',
      });
      assert.equal(report.sent, 0);
      assert.equal(fcm.server.accepted.length, 0);
      const saleDoc = (await fs.db.collection('notifications').doc(sale).get()).data()!;
      assert.equal(saleDoc.status, 'suppressed');
      assert.equal(saleDoc.result.code, 'OPTED_OUT:marketing');
      const orderDoc = (await fs.db.collection('notifications').doc(order).get()).data()!;
      assert.equal(orderDoc.status, 'expanded');
      const delivery = (
        await fs.db.collection('pushes').doc(orderDoc.deliveryIds[0]).get()
      ).data()!;
      assert.equal(delivery.status, 'pending');
      assert.equal(delivery.pushToken, token);
      assert.equal(delivery.result.code, 'QUIET_HOURS');
      // The window ends at `end` local time, just under 24 hours from now.
      const waitMs = delivery.nextAttemptAt.toMillis() - nowMs;
      assert.ok(waitMs > 22 * 3_600_000 && waitMs <= 24 * 3_600_000, `waits ${waitMs} ms`);
    });
  });
});
