/**
 * `npm run test:chaos [-- --seed N --pushes N --drains N]`: the fault-injection run (chaos.ts)
 * against a Firestore emulator started here. Prints the seed first, the figures, and as the last
 * line one JSON object: {"seed","pushes","faults","retries","duplicates","lost","misdelivered"}.
 * Exits non-zero
 * when a guarantee was broken (the violations are printed above the JSON line).
 */
import { join, resolve } from 'node:path';
import { startFirestoreEmulator } from '../../tools/emulators/firestore-emulator';
import { CHAOS_DEFAULTS, runChaos } from './chaos';

function arg(name: string): string | undefined {
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 ? process.argv[i + 1] : undefined;
}

async function main(): Promise<void> {
  const seed =
    arg('seed') !== undefined ? Number(arg('seed')) : Math.floor(Math.random() * 2 ** 31);
  if (!Number.isInteger(seed)) throw new Error('--seed must be an integer');
  console.log(`chaos seed ${seed} (rerun with: npm run test:chaos -- --seed ${seed})`);
  const emulator = await startFirestoreEmulator();
  process.env.FIRESTORE_EMULATOR_HOST = emulator.host;
  process.env.GCLOUD_PROJECT = 'demo-push';
  // The parent never asks for tokens itself; children opt in to the local metadata server.
  process.env.METADATA_SERVER_DETECTION = 'none';
  const started = Date.now();
  try {
    const report = await runChaos({
      ...CHAOS_DEFAULTS,
      seed,
      pushes: Number(arg('pushes') ?? CHAOS_DEFAULTS.pushes),
      drains: Number(arg('drains') ?? CHAOS_DEFAULTS.drains),
      shardWorkers: process.argv.includes('--shard-workers'),
      logDir: join(resolve(__dirname, '..', '..'), '.tmp', 'chaos-logs'),
      log: (line) => console.log(`  ${line}`),
    });
    const d = report.details;
    console.log(
      `pushes ${report.pushes}: ${d.directPushes} to tokens, ${d.userNotifications} notifications for users ` +
        `${JSON.stringify(d.notificationsByStatus)} (with ${d.keyedItems} keyed reminders)`,
    );
    console.log(
      `push documents ${d.pushDocuments} (expected ${d.expectedPushDocuments}: ${d.directPushes} direct + ${d.deliveries} deliveries): ${JSON.stringify(d.byStatus)}`,
    );
    console.log(`faults injected: ${JSON.stringify(report.faults)}`);
    console.log(
      `FCM requests ${d.fcmRequests}, accepted ${d.acceptedRequests}, retries ${report.retries}, ` +
        `duplicates ${report.duplicates} (after a kill or a lost lease ${d.duplicatesAfterCrash} [lease ${d.duplicatesAfterLeaseLoss}, reached FCM after another run's claim ${d.sentAfterTakeover}], answer lost ${d.duplicatesAfterLostAnswer} ${JSON.stringify(d.lostAnswerCodes)}), lost ${report.lost}`,
    );
    console.log(
      `claims ${d.claims} (a page's claim took p50 ${d.claimPageMs.p50} ms, p95 ${d.claimPageMs.p95} ms, max ${d.claimPageMs.max} ms real), ` +
        `retries written by cause ${JSON.stringify(d.retriesByCode)}`,
    );
    console.log(`drains' store calls of 1 s or more (real): ${JSON.stringify(d.slowCalls)}`);
    console.log(
      `drains started ${d.drainsStarted} (crashed unexpectedly ${d.drainsCrashed}), lease lost ${d.leaseLost}, ` +
        `token requests ${d.tokenRequests}, dead tokens ${d.unregisteredTokens} (left ${d.tokensLeftForUnregistered}, unlearned after a kill ${d.tokensUnlearned})`,
    );
    console.log(
      `tokens moved between users ${d.tokenMoves} (by sign-out ${d.tokenMovesBySignOut}, while a delivery waited to retry ${d.tokenMovesOnSend}, skipped ${d.tokenMovesSkipped}, ` +
        `aborted transactions retried ${d.tokenMoveRetries}, failed ${d.tokenMovesFailed.length}): ` +
        `deliveries not owned at claim ${d.notOwned}, claims while not owned ${d.claimsWhileNotOwned}, misdelivered ${report.misdelivered}, ` +
        `accepted in the claim-to-answer window ${d.acceptedInMoveWindow}, unsure ${d.ownershipUnsure}`,
    );
    console.log(
      `keyed items ${d.keyedItems} (deleted ${d.keyedItemsDeleted}): events delivered ${d.keyEventsDelivered}, ` +
        `redelivered or out of order ${report.faults.eventRedeliveredOutOfOrder}, key violations ${d.keyViolations.length}`,
    );
    for (const f of d.tokenMovesFailed.slice(0, 10)) console.log(`  token move failed: ${f}`);
    console.log(`deliveries their notification does not list ${d.orphanDeliveries.length}`);
    for (const o of d.orphanDeliveries.slice(0, 10)) console.log(`  ${o}`);
    console.log(`log lines scanned ${d.logLines}, secrets found ${d.secretsInLogs.length}`);
    console.log(`wall time ${((Date.now() - started) / 1000).toFixed(1)} s`);
    for (const v of report.violations.slice(0, 50)) console.log(`VIOLATION ${v}`);
    if (report.violations.length)
      console.log(`${report.violations.length} violation(s), seed ${seed}`);
    const { seed: s, pushes, faults, retries, duplicates, lost, misdelivered } = report;
    console.log(
      JSON.stringify({ seed: s, pushes, faults, retries, duplicates, lost, misdelivered }),
    );
    process.exitCode = report.violations.length ? 1 : 0;
  } finally {
    await emulator.stop();
  }
}

main().catch((err) => {
  console.error(err instanceof Error ? (err.stack ?? err.message) : err);
  process.exit(1);
});
