/**
 * The operator console as a person uses it: headless Chromium opens the page the Hosting emulator
 * serves (built for the emulators, so it signs in as the local operator), while the test plays the
 * backend (Admin SDK writes to the outbox), FCM (the local FCM server, told which tokens are dead)
 * and Cloud Scheduler (fireScheduled). Each test saves a screenshot in test-artifacts/.
 *
 * Runs in the browser tier: firebase emulators:exec with Functions, Auth, Firestore, Cloud Tasks
 * and Hosting on the local project's fixed ports.
 */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { deleteApp, initializeApp } from 'firebase/app';
import { connectAuthEmulator, getAuth, signInWithEmailAndPassword } from 'firebase/auth';
import {
  collection,
  connectFirestoreEmulator,
  doc,
  getDoc,
  getDocs,
  limit,
  query,
  terminate,
  getFirestore as clientFirestore,
} from 'firebase/firestore';
import type { Locator, Page } from 'playwright-core';
import { localEnv } from '../../tools/local-env/local-env';
import { startDemoGoogle, type LocalGoogle } from '../../tools/local-google/demo-google';
import { clientApp, type ClientApp } from '../../tools/local-stack/client-app';
import {
  emulatorAdminAuth,
  ensureLocalOperator,
  grantOperator,
} from '../../tools/local-stack/local-operator';
import { LOCAL_OPERATOR } from '../../tools/local-stack/local-operator-account';
import { fireScheduled } from '../../tools/local-stack/scheduler';
import { connectTestFirestore, type TestFirestore } from '../support/emulated-firestore';
import { launchChromium, screenshot, type HeadlessBrowser } from '../support/browser';

// Two shared cores, a JVM, the Functions emulator and a browser: generous, never asserted on.
const TEST_TIMEOUT_MS = 300_000;
const SEE_MS = 90_000;

/** A test of this file, with the tier's timeout. */
function consoleTest(name: string, body: () => Promise<void>): void {
  it(name, { timeout: TEST_TIMEOUT_MS }, body);
}

/** Waits until what `locator` finds is on the page (SEE_MS at most). */
const see = (locator: Locator) => locator.waitFor({ timeout: SEE_MS });

describe('operator console in Chromium', () => {
  let fs: TestFirestore;
  let google: LocalGoogle;
  let chrome: HeadlessBrowser;
  let operatorUid: string;
  const pages: Page[] = [];

  before(async () => {
    fs = connectTestFirestore();
    await fs.reset();
    google = await startDemoGoogle();
    operatorUid = await ensureLocalOperator();
    chrome = await launchChromium();
  });
  after(async () => {
    for (const p of pages) await p.context().close();
    await chrome?.close();
    await google?.close();
    await fs?.close();
  });

  /** A fresh browser context on `hash`, signed in as the local operator automatically. */
  async function openAsOperator(hash: string): Promise<{ page: Page; errors: string[] }> {
    const { page, errors } = await chrome.newPage();
    pages.push(page);
    await page.goto(`${localEnv().hosting.url}/${hash}`);
    await see(page.locator('header .who', { hasText: LOCAL_OPERATOR.email }));
    return { page, errors };
  }

  const outbox = (id: string, request: Record<string, unknown>) =>
    fs.db.collection('pushRequests').doc(id).set(request);

  /** The push ids an outbox document queued, once checkPushRequest has recorded its outcome. */
  async function queuedPushId(id: string): Promise<string> {
    const deadline = Date.now() + SEE_MS;
    while (Date.now() < deadline) {
      const snap = await fs.db.collection('pushRequests').doc(id).get();
      const ids = snap.get('pushIds') as string[] | undefined;
      if (snap.get('status') === 'accepted' && ids?.length) return ids[0]!;
      assert.notEqual(snap.get('status'), 'rejected', JSON.stringify(snap.data()));
      await new Promise((r) => setTimeout(r, 250));
    }
    throw new Error(`pushRequests/${id} was not accepted in time`);
  }

  const badge = (page: Page, scope: string, status: string) =>
    page.locator(`${scope} .badge[data-status="${status}"]`).first();

  consoleTest(
    'when the backend writes a push request, then the operator sees the push appear live, opens it and retries it after FCM refused it',
    async () => {
      const { page, errors } = await openAsOperator('#/pushes?collection=pushes');
      await see(page.getByText('No pushes here.'));

      const deadToken = 'console-dead-token:APA91b-browser-test';
      google.fcm.unregistered.add(deadToken);
      await outbox('console-live', {
        to: { token: deadToken },
        title: 'Console live test',
        content: 'Appears without a reload.',
      });
      // No reload: the row arrives through the page's Firestore listener.
      const row = page.locator('table.list tr', { hasText: 'Console live test' });
      await see(row);
      const pushId = await queuedPushId('console-live');
      assert.equal(await row.getAttribute('data-id'), pushId);
      await screenshot(page, 'console-push-appears');

      // FCM answered UNREGISTERED (at once, or at the drain's next run).
      await fireScheduled('drainReservedPushes');
      await see(row.locator('.badge[data-status="failed"], .badge[data-status="rejected"]'));

      await row.locator('a', { hasText: pushId.slice(0, 12) }).click();
      const retry = page.getByRole('button', { name: 'Retry' });
      await see(retry);
      assert.match(await page.locator('#push').innerText(), /UNREGISTERED/);

      google.fcm.unregistered.delete(deadToken); // the device is back
      await retry.click();
      await see(page.getByText('Retry: done'));
      const retried = page.locator('.timeline li[data-event="retried"]');
      await see(retried);
      assert.match(await retried.innerText(), new RegExp(`by operator ${operatorUid}`));

      await fireScheduled('drainReservedPushes');
      await see(badge(page, '.actions', 'sent'));
      assert.ok(
        google.fcm.accepted.some((a) => a.message.token === deadToken),
        'the retried push reached FCM',
      );
      await screenshot(page, 'console-retried');
      assert.deepEqual(errors, []);
    },
  );

  consoleTest(
    'when a push waits for its time, then the operator cancels it and the history names them',
    async () => {
      await outbox('console-later', {
        to: { token: 'console-later-token:APA91b-browser-test' },
        title: 'Console later test',
        reservedAt: new Date(Date.now() + 3_600_000).toISOString(),
      });
      const pushId = await queuedPushId('console-later');
      const { page, errors } = await openAsOperator('#/pushes?collection=pushes&status=pending');
      await see(page.locator(`tr[data-id="${pushId}"]`));
      await page.locator(`tr[data-id="${pushId}"] a`).click();

      const cancel = page.getByRole('button', { name: 'Cancel' });
      await see(cancel);
      await cancel.click();
      await see(page.getByText('Cancel: done'));
      await see(badge(page, '.actions', 'cancelled'));
      const cancelled = page.locator('.timeline li[data-event="cancelled"]');
      await see(cancelled);
      assert.match(await cancelled.innerText(), new RegExp(`by operator ${operatorUid}`));
      assert.equal((await fs.db.collection('pushes').doc(pushId).get()).get('status'), 'cancelled');
      // Nothing cancelled is retried: the page offers no action any more.
      assert.equal(await page.getByRole('button', { name: 'Retry' }).count(), 0);
      await screenshot(page, 'console-cancelled');
      assert.deepEqual(errors, []);
    },
  );

  consoleTest(
    'when the operator looks up a user and sends them a test push, then devices show shortened tokens and validate_only comes first',
    async () => {
      const phone: ClientApp = clientApp();
      try {
        const uid = await phone.signIn();
        const token = 'console-phone-token:APA91b-a-long-registration-token';
        await phone.callable('registerToken')({ token, platform: 'ios', locale: 'en-GB' });

        const { page, errors } = await openAsOperator(`#/users/${uid}`);
        const devices = page.locator('#devices');
        await see(devices);
        const text = await devices.innerText();
        assert.match(text, /consol…oken/);
        assert.ok(!text.includes(token), 'the full token never reaches the page here');
        assert.match(text, /ios/);
        await phone.callable('setPushPreferences')({ categories: { marketing: false } });
        // Live: the preferences table follows the user's change without a reload.
        await see(page.locator('#preferences', { hasText: 'marketing' }));
        await screenshot(page, 'console-user');

        await page.goto(`${localEnv().hosting.url}/#/send`);
        await page.locator('select[name="kind"]').selectOption('uid');
        await page.locator('input[name="to"]').fill(uid);
        await page
          .locator('input[name="title"]')
          .fill('A test push with a title too long for one line');
        const send = page.getByRole('button', { name: 'Send', exact: true });
        assert.equal(await send.isDisabled(), true, 'Send waits for a validation');
        await see(page.getByText('Android: the title'));
        await page.getByRole('button', { name: 'Validate' }).click();
        await see(page.getByText('Valid for 1 device(s)'));
        assert.equal(google.fcm.validated.length > 0, true, 'FCM was asked with validate_only');
        await screenshot(page, 'console-send-validated');
        await send.click();
        await page.waitForURL(/#\/push\//, { timeout: SEE_MS });
        await see(page.locator('#push .kind'));
        assert.match(await page.locator('#push').innerText(), /A test push with a title too long/);
        assert.deepEqual(errors, []);
      } finally {
        await phone.close();
      }
    },
  );

  consoleTest(
    'when a list has more than a page, then Older and Newer page through it with the filter kept',
    async () => {
      // Plain documents are enough here: the list only reads them.
      const uid = 'paging-user';
      const batch = fs.db.batch();
      for (let i = 0; i < 30; i++) {
        batch.set(fs.db.collection('pushes').doc(`paging-${String(i).padStart(2, '0')}`), {
          uid,
          target: { token: `paging-token-${i}`, uid },
          title: `Paging ${i}`,
          status: 'sent',
          createdAt: new Date(Date.UTC(2026, 0, 1, 0, i)),
        });
      }
      await batch.commit();
      const { page, errors } = await openAsOperator(`#/pushes?collection=pushes&uid=${uid}`);
      const rows = page.locator('table.list tbody tr');
      await see(page.locator('tr[data-id="paging-29"]'));
      assert.equal(await rows.count(), 25);
      await page.getByRole('button', { name: 'Older →' }).click();
      await see(page.locator('tr[data-id="paging-04"]'));
      assert.equal(await rows.count(), 5);
      assert.equal(await rows.first().getAttribute('data-id'), 'paging-04');
      assert.equal(await page.getByRole('button', { name: 'Older →' }).isDisabled(), true);
      await page.getByRole('button', { name: '← Newer' }).click();
      await see(page.locator('tr[data-id="paging-29"]'));
      assert.equal(await rows.count(), 25);
      assert.deepEqual(errors, []);
    },
  );

  consoleTest(
    'when the dispatcher has counted, then the overview shows statuses, the hour and the top failure code',
    async () => {
      await fireScheduled('drainReservedPushes'); // writes pushStats/overview
      const { page, errors } = await openAsOperator('#/');
      const pushes = page.locator('#by-status-pushes');
      await see(pushes);
      await see(page.locator('#top-codes', { hasText: 'UNREGISTERED' }));
      await see(page.locator('svg.chart rect.sent').first());
      const cancelledRow = pushes.locator('tr', { has: page.locator('[data-status="cancelled"]') });
      assert.match(await cancelledRow.innerText(), /1/);
      await screenshot(page, 'console-overview');
      assert.deepEqual(errors, []);
    },
  );

  consoleTest(
    'when a signed-in user is no operator, then the page says not authorised, the rules deny the reads, and a grant applies after the token refresh',
    async () => {
      const viewer = { email: 'viewer@demo-push.local', password: 'viewer-demo' };
      const admin = emulatorAdminAuth();
      let viewerUid: string;
      try {
        viewerUid = (await admin.auth.createUser(viewer)).uid;
      } finally {
        await admin.close();
      }

      const { page } = await openAsOperator('#/');
      await page.getByRole('button', { name: 'Sign out' }).click();
      await page.locator('input[name="email"]').fill(viewer.email);
      await page.locator('input[name="password"]').fill(viewer.password);
      await page.getByRole('button', { name: 'Sign in' }).click();
      const denied = page.locator('#not-authorised');
      await see(denied);
      const text = await denied.innerText();
      assert.match(text, /Not authorised/);
      assert.match(text, new RegExp(`fcm-push operator grant ${viewerUid}`));
      assert.match(text, /ID token refreshes/);
      await screenshot(page, 'console-not-authorised');

      // The rules, not the page, keep the data: the same account's reads are refused.
      const env = localEnv();
      const app = initializeApp(
        { projectId: env.projectId, apiKey: 'demo-api-key', appId: '1:000000000000:web:viewer' },
        `viewer-${process.pid}`,
      );
      const auth = getAuth(app);
      connectAuthEmulator(auth, env.auth.url, { disableWarnings: true });
      const db = clientFirestore(app);
      connectFirestoreEmulator(db, env.firestore.host, env.firestore.port);
      try {
        await signInWithEmailAndPassword(auth, viewer.email, viewer.password);
        for (const read of [
          () => getDoc(doc(db, 'pushStats', 'overview')),
          () => getDocs(query(collection(db, 'pushes'), limit(1))),
          () => getDocs(query(collection(db, 'pushStatsMinutes'), limit(1))),
        ]) {
          await assert.rejects(read(), (err: { code?: string }) => {
            assert.equal(err.code, 'permission-denied');
            return true;
          });
        }
      } finally {
        await terminate(db);
        await deleteApp(app);
      }

      // An admin grants the claim; the refresh button picks it up without signing out.
      const again = emulatorAdminAuth();
      try {
        await grantOperator(again.auth, viewerUid);
      } finally {
        await again.close();
      }
      await page.getByRole('button', { name: 'Refresh my access' }).click();
      await see(page.locator('#overview'));
    },
  );
});
