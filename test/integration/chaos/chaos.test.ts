/**
 * The fault-injection run of `npm run test:chaos` in a small size (300 pushes, a few kills), on
 * the integration tier's Firestore emulator: the same code, the same guarantees.
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

describe('chaos: racing drains, FCM failures, token failures and killed drains (small run)', () => {
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
      maxWallMs: 3 * 60_000,
      logDir: join(resolve(__dirname, '..', '..', '..'), '.tmp', 'chaos-logs-integration'),
    });
    const { faults, retries, duplicates, lost } = report;
    console.log(JSON.stringify({ seed, pushes: 300, faults, retries, duplicates, lost }));
  });

  it('when the run ends, then every guarantee held (seed printed above)', () => {
    assert.deepEqual(report.violations, [], `seed ${seed}`);
  });

  it('when the run ends, then every push is final and none is lost or left due', () => {
    const final = ['sent', 'failed', 'rejected', 'expired'];
    const counted = Object.entries(report.details.byStatus)
      .filter(([status]) => final.includes(status))
      .reduce((n, [, c]) => n + c, 0);
    assert.equal(counted, 300, JSON.stringify(report.details.byStatus));
    assert.equal(report.lost, 0);
  });

  it('when FCM accepted a push more than once, then a drain died after the accept or lost the answer', () => {
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
