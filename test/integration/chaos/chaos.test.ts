/**
 * The fault-injection run of `npm run test:chaos` in a small size (300 pushes, a few kills, ~30
 * notifications for users, 5 keyed reminders), on the integration tier's Firestore emulator: the
 * same code, the same guarantees.
 */
import { before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { join, resolve } from 'node:path';
import { CHAOS_DEFAULTS, runChaos, type ChaosReport } from '../../chaos/chaos';
import { findSecretsInText } from '../../chaos/log-secrets';
import { connectTestFirestore } from '../../support/emulated-firestore';

const seed = process.env.CHAOS_SEED
  ? Number(process.env.CHAOS_SEED)
  : Math.floor(Math.random() * 2 ** 31);

describe('chaos: racing drains, FCM failures, token failures, killed drains, moved tokens and out-of-order events (small run)', () => {
  let report: ChaosReport;

  before(async () => {
    const fs = connectTestFirestore();
    await fs.reset();
    await fs.close();
    console.log(
      `chaos seed ${seed} (rerun: CHAOS_SEED=${seed} npm run test:integration -- --only chaos)`,
    );
    report = await runChaos({
      ...CHAOS_DEFAULTS,
      seed,
      pushes: 300,
      drains: 3,
      maxKills: 6,
      killRate: 0.9,
      batchSize: 25,
      keyedItems: 5,
      maxWallMs: 3 * 60_000,
      logDir: join(resolve(__dirname, '..', '..', '..'), '.tmp', 'chaos-logs-integration'),
    });
    const { faults, retries, duplicates, lost, misdelivered } = report;
    console.log(
      JSON.stringify({ seed, pushes: 300, faults, retries, duplicates, lost, misdelivered }),
    );
  });

  it('when the run ends, then every guarantee held (seed printed above)', () => {
    assert.deepEqual(report.violations, [], `seed ${seed}`);
  });

  it('when the run ends, then every push is final and none is lost or left due', () => {
    const d = report.details;
    const final = ['sent', 'failed', 'rejected', 'expired', 'cancelled'];
    const counted = Object.entries(d.byStatus)
      .filter(([status]) => final.includes(status))
      .reduce((n, [, c]) => n + c, 0);
    assert.equal(d.directPushes + d.userNotifications, 300);
    assert.ok(d.userNotifications > 0, 'the run must include notifications for users');
    assert.equal(d.expectedPushDocuments, d.directPushes + d.deliveries);
    assert.equal(counted, d.expectedPushDocuments, JSON.stringify(d.byStatus));
    assert.equal(report.lost, 0);
  });

  it('when the run ends, then every notification is final and expanded ones have their deliveries', () => {
    const d = report.details;
    const final = ['expanded', 'undeliverable', 'expired', 'failed', 'cancelled'];
    const statuses = Object.keys(d.notificationsByStatus);
    assert.deepEqual(
      statuses.filter((s) => !final.includes(s)),
      [],
      JSON.stringify(d.notificationsByStatus),
    );
    assert.ok((d.notificationsByStatus.expanded ?? 0) > 0);
    assert.ok(d.deliveries > 0);
  });

  it('when tokens moved between users while drains ran, then no delivery was misdelivered and some ended not owned', () => {
    const d = report.details;
    assert.ok(report.faults.tokenMovedBetweenUsers > 0, 'no token was moved');
    assert.equal(d.tokenMoves, report.faults.tokenMovedBetweenUsers);
    assert.ok(d.notOwned > 0, 'no delivery was ended DEVICE_NOT_OWNED');
    assert.equal(d.claimsWhileNotOwned, 0);
    assert.equal(report.misdelivered, 0);
  });

  it('when keyed events were redelivered out of order, then per key only the newest event’s outcome holds', () => {
    assert.ok(report.faults.eventRedeliveredOutOfOrder > 0, 'no event arrived out of order');
    assert.equal(report.details.keyedItems, 5);
    assert.deepEqual(report.details.keyViolations, []);
  });

  it('when FCM accepted a push more than once, then a drain died after the accept, ran out of lease before writing it, or lost the answer', () => {
    const d = report.details;
    assert.equal(report.duplicates, d.duplicatesAfterCrash + d.duplicatesAfterLostAnswer);
  });

  it('when a drain recorded UNREGISTERED for a token, then the token is no longer stored', () => {
    assert.ok(report.details.unregisteredTokens > 0, 'the run must include dead tokens');
    assert.equal(report.details.tokensLeftForUnregistered, 0);
  });

  it('when the run is over, then faults of every FCM kind and killed drains actually happened', () => {
    const f = report.faults;
    for (const kind of ['quota429', 'internal500', 'unavailable503', 'timeout'] as const) {
      assert.ok(f[kind] > 0, `${kind} was never injected`);
    }
    assert.ok(f.killAfterClaim + f.killMidSend + f.killAfterAccept > 0, 'no drain was killed');
    assert.ok(report.retries > 0);
  });

  it('when the logs of every drain and of registerToken are scanned, then no FCM or access token appears', () => {
    assert.ok(report.details.logLines > 0);
    assert.deepEqual(report.details.secretsInLogs, []);
  });

  it('when a log line does contain a token, then the scanner finds it (the check can fail)', () => {
    const fcmToken = `c1-2:APA91b${'x'.repeat(60)}`;
    const access = 'ya29.local-abcdefghijklmnop';
    const found = findSecretsInText(
      `{"message":"push.sent","token":"${fcmToken}"}\nBearer ${access}\n`,
      { fcmTokens: new Set([fcmToken]), accessTokens: new Set([access]) },
      'sample.log',
    );
    assert.equal(found.length, 2);
    assert.ok(found.every((f) => !f.includes(fcmToken) && !f.includes(access)));
  });
});
