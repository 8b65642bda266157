/**
 * `fcm-push stats` (count() aggregations over notifications and pushes, never added together)
 * and `fcm-push prune` (pruneStaleTokens, now).
 */
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { Timestamp } from 'firebase-admin/firestore';
import { tokenIdOf } from '../../../functions/src/core/token-id';
import { jsonOf, useCliWorld } from './cli-world';
import { LOCAL_PROJECT_ID } from '../../../tools/local-env/local-env';

const DAY = 86_400_000;

describe('fcm-push stats and prune', () => {
  const world = useCliWorld();

  async function ended(token: string, code: 'UNAVAILABLE' | 'UNREGISTERED'): Promise<string> {
    const id = await world.queue(token);
    world.fcm.rules.forToken(token, { kind: 'error', code }, 1);
    await world.deliver([id]);
    return id;
  }

  interface Section {
    total: number;
    byStatus: Record<string, number>;
    due: { count: number; oldest: { id: string; status: string; ageSeconds: number } | null };
    failureCodes: Record<string, number>;
  }
  interface Stats {
    notifications: Section;
    pushes: Section;
    tokens: number;
  }
  /** A section's total, how many are due and which is the oldest due (a pending one). */
  function assertTotalAndDue(
    section: Section,
    expected: { total: number; due: number; oldest: string },
  ) {
    assert.equal(section.total, expected.total);
    assert.equal(section.due.count, expected.due);
    assert.equal(section.due.oldest!.id, expected.oldest);
    assert.equal(section.due.oldest!.status, 'pending');
  }

  it('when the queue holds notifications and pushes in every state, then stats counts each by status, finds the oldest due of each and groups failure codes', async () => {
    const t0 = Date.now();
    const LATER = { reservedAt: t0 + 3_600_000 };
    // Pushes (token targets).
    const oldestPush = await world.queue('due-1', {}, t0 - 10 * 60_000);
    await world.queue('due-2', {}, t0 - 60_000);
    await world.queue('later', LATER);
    const sent = await world.queue('sent');
    await world.deliver([sent]);
    await ended('f1', 'UNAVAILABLE');
    await ended('f2', 'UNAVAILABLE');
    await ended('r1', 'UNREGISTERED');
    // A code this version does not know (written by an older one) still counts, as "other".
    const legacy = await ended('f3', 'UNAVAILABLE');
    await world.fs.db.collection('pushes').doc(legacy).update({ 'result.code': 'LEGACY_CODE' });
    const cancelledPush = await world.queue('c', LATER);
    // A push claimed once already without a result: the next claim ends it ATTEMPTS_EXHAUSTED.
    const worn = await world.queue('worn');
    await world.fs.db.collection('pushes').doc(worn).update({ attempts: 1 });
    await world.deliver([worn], 1);
    assert.equal((await world.doc(worn)).get('result').code, 'ATTEMPTS_EXHAUSTED');

    // Notifications: one expanded whose delivery's token then moved to another user
    // (DEVICE_NOT_OWNED), one for a user without devices (NO_DEVICES), one due, one reserved for
    // later, one a drain is expanding, one cancelled.
    await world.device('ua', 'moved-phone');
    const moved = await world.queueFor('ua');
    const movedDeliveries = await world.expand([moved]);
    await world.device('ub', 'moved-phone');
    await world.deliver(movedDeliveries);
    assert.equal((await world.doc(movedDeliveries[0]!)).get('result').code, 'DEVICE_NOT_OWNED');
    await world.expand([await world.queueFor('nobody')]);
    const oldestNotification = await world.queueFor('uc', {}, t0 - 5 * 60_000);
    await world.queueFor('uc', LATER);
    const expanding = await world.queueFor('ud', {}, t0 - 2 * 60_000);
    await world.stores.notifications.claim(await world.stores.notifications.getAll([expanding]), {
      nowMs: Date.now(),
      leaseMs: 60_000,
      runId: 'drain-1',
    });
    const cancelledNotification = await world.queueFor('uc', LATER);
    assert.equal((await world.cli(['cancel', cancelledPush, cancelledNotification])).code, 0);
    for (const token of ['a', 'b', 'c']) await world.device('u', token);

    const run = await world.cli(['stats', '--json']);
    const checkedAt = Date.now();
    assert.equal(run.code, 0, run.stderr);
    const out = jsonOf<Stats>(run);

    assert.deepEqual(out.notifications.byStatus, {
      pending: 2,
      expanding: 1,
      expanded: 1,
      undeliverable: 1,
      cancelled: 1,
      expired: 0,
      failed: 0,
      suppressed: 0,
    });
    assertTotalAndDue(out.notifications, { total: 6, due: 1, oldest: oldestNotification });
    const nAge = out.notifications.due.oldest!.ageSeconds;
    assert.ok(nAge >= 300 && nAge <= (checkedAt - (t0 - 300_000)) / 1000, `age ${nAge}`);
    assert.deepEqual(out.notifications.failureCodes, { NO_DEVICES: 1 });

    assert.deepEqual(out.pushes.byStatus, {
      pending: 3,
      sending: 0,
      sent: 1,
      failed: 4,
      rejected: 1,
      expired: 0,
      cancelled: 2,
      suppressed: 0,
    });
    assertTotalAndDue(out.pushes, { total: 11, due: 2, oldest: oldestPush });
    const pAge = out.pushes.due.oldest!.ageSeconds;
    assert.ok(pAge >= 600 && pAge <= (checkedAt - (t0 - 600_000)) / 1000, `age ${pAge}`);
    assert.deepEqual(out.pushes.failureCodes, {
      UNAVAILABLE: 2,
      ATTEMPTS_EXHAUSTED: 1,
      DEVICE_NOT_OWNED: 1,
      UNREGISTERED: 1,
      other: 1,
    });
    assert.equal(out.tokens, 4);
    assert.match(run.stderr, new RegExp(`counting in ${LOCAL_PROJECT_ID}`));

    const text = await world.cli(['stats']);
    assert.match(
      text.stdout,
      /^notifications: 6 \(pending 2, expanding 1, expanded 1, undeliverable 1, cancelled 1, expired 0, failed 0, suppressed 0\)\n {2}due to expand: 1, oldest waiting [56]m( \d+s)? \(/m,
    );
    assert.match(text.stdout, /^ {2}failure codes: NO_DEVICES 1$/m);
    assert.match(
      text.stdout,
      /^pushes: 11 \(pending 3, sending 0, sent 1, failed 4, rejected 1, expired 0, cancelled 2, suppressed 0\)$/m,
    );
    assert.match(
      text.stdout,
      // The age is ~10 min; whole minutes print without seconds ("10m").
      new RegExp(
        `^ {2}due to send: 2, oldest waiting 1\\dm( \\d+s)? \\(${oldestPush}, pending, due `,
        'm',
      ),
    );
    assert.match(
      text.stdout,
      /^ {2}failure codes: UNAVAILABLE 2, ATTEMPTS_EXHAUSTED 1, DEVICE_NOT_OWNED 1, UNREGISTERED 1, other 1$/m,
    );
    assert.match(text.stdout, /^tokens: 4$/m);
  });

  it('when a notification is expanded into deliveries, then stats counts it once among notifications and each delivery once among pushes, never adding one to the other', async () => {
    for (const token of ['z1', 'z2', 'z3']) await world.device('uz', token);
    const id = await world.queueFor('uz');
    await world.queue('solo');
    const stats = async () => {
      const run = await world.cli(['stats', '--json']);
      assert.equal(run.code, 0, run.stderr);
      return jsonOf<Stats & Record<string, unknown>>(run);
    };

    const queued = await stats();
    assert.deepEqual(Object.keys(queued).sort(), [
      'at',
      'notifications',
      'preferences',
      'project',
      'pushes',
      'tokens',
    ]);
    assert.deepEqual(
      [
        queued.notifications.total,
        queued.notifications.byStatus.pending,
        queued.notifications.due.count,
      ],
      [1, 1, 1],
    );
    assert.deepEqual([queued.pushes.total, queued.pushes.due.count], [1, 1]);

    const deliveries = await world.expand([id]);
    assert.equal(deliveries.length, 3);
    const expanded = await stats();
    assert.deepEqual(
      [
        expanded.notifications.total,
        expanded.notifications.byStatus.expanded,
        expanded.notifications.due.count,
      ],
      [1, 1, 0],
    );
    assert.deepEqual(
      [expanded.pushes.total, expanded.pushes.byStatus.pending, expanded.pushes.due.count],
      [4, 4, 4],
    );

    await world.drain();
    const sent = await stats();
    assert.deepEqual([sent.notifications.total, sent.notifications.byStatus.expanded], [1, 1]);
    assert.deepEqual([sent.pushes.total, sent.pushes.byStatus.sent], [4, 4]);
    const text = await world.cli(['stats']);
    assert.match(text.stdout, /^notifications: 1 \(/m);
    assert.match(text.stdout, /^pushes: 4 \(/m);
  });

  it('when nothing is queued, then stats says so', async () => {
    const out = jsonOf<Stats>(await world.cli(['stats', '--json']));
    const empty = { count: 0, oldest: null };
    assert.deepEqual(
      [out.notifications.total, out.notifications.due, out.notifications.failureCodes],
      [0, empty, {}],
    );
    assert.deepEqual([out.pushes.total, out.pushes.due, out.pushes.failureCodes], [0, empty, {}]);
    assert.equal(out.tokens, 0);
    const text = await world.cli(['stats']);
    assert.match(text.stdout, /^ {2}due to expand: 0$/m);
    assert.match(text.stdout, /^ {2}due to send: 0$/m);
    assert.match(text.stdout, /^ {2}failure codes: none$/m);
  });

  async function seedTokens(ages: Record<string, number>) {
    const now = Date.now();
    for (const [token, days] of Object.entries(ages)) {
      await world.fs.db
        .collection('pushTokens')
        .doc(tokenIdOf(token))
        .set({
          uid: 'u',
          token,
          platform: 'android',
          updatedAt: Timestamp.fromMillis(now - days * DAY),
        });
    }
  }
  const tokensLeft = async () =>
    (await world.fs.db.collection('pushTokens').get()).docs.map((d) => d.get('token')).sort();

  it('when pruning without --days, then STALE_TOKEN_DAYS of the local project (60) decides', async () => {
    await seedTokens({ d61: 61, d59: 59, d10: 10 });
    const env = { ...process.env };
    delete env.STALE_TOKEN_DAYS;
    const run = await world.cli(['prune', '--json'], env);
    assert.equal(run.code, 0, run.stderr);
    assert.deepEqual(jsonOf(run), {
      days: 60,
      before: jsonOf<{ before: string }>(run).before,
      dryRun: false,
      deleted: 1,
      complete: true,
    });
    assert.match(run.stderr, /deleted 1 stale tokens so far/);
    assert.deepEqual(await tokensLeft(), ['d10', 'd59']);
  });

  it('when pruning with --days or STALE_TOKEN_DAYS set, then that limit is used', async () => {
    await seedTokens({ d61: 61, d59: 59, d10: 10, d1: 1 });
    const days30 = await world.cli(['prune', '--days', '30']);
    assert.equal(days30.code, 0, days30.stderr);
    assert.match(days30.stdout, /^deleted 2 tokens not refreshed since \S+ \(30 days\)$/m);
    assert.deepEqual(await tokensLeft(), ['d1', 'd10']);
    const fromEnv = await world.cli(['prune'], { ...process.env, STALE_TOKEN_DAYS: '5' });
    assert.equal(fromEnv.code, 0, fromEnv.stderr);
    assert.deepEqual(await tokensLeft(), ['d1']);
    assert.equal((await world.cli(['prune', '--days', '0'])).code, 2);
  });

  it('when pruning with --dry-run, then the stale tokens are counted and none is deleted', async () => {
    await seedTokens({ d61: 61, d59: 59, d10: 10 });
    const run = await world.cli(['prune', '--days', '30', '--dry-run', '--json']);
    assert.equal(run.code, 0, run.stderr);
    assert.equal(jsonOf<{ stale: number }>(run).stale, 2);
    assert.deepEqual(await tokensLeft(), ['d10', 'd59', 'd61']);
  });
});
