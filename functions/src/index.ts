// Deployed functions. Each lives in its own file under triggers/; this file only exports.
import { appointmentReminder, orderShipped } from './checks';
import { EXAMPLE_CHECKS_ENABLED } from './config/example-checks';
import { checkTrigger } from './edge/check-trigger';

export { registerToken } from './triggers/register-token';
export { unregisterToken } from './triggers/unregister-token';
export { setPushPreferences } from './triggers/set-push-preferences';
export { getPushPreferences } from './triggers/get-push-preferences';
export { checkPushRequest } from './triggers/check-push-request';
export { drainReservedPushes } from './triggers/drain-reserved-pushes';
export { drainShard } from './triggers/drain-shard';
export { pruneStaleTokens } from './triggers/prune-stale-tokens';
// The operator console's actions (callables that require the `operator: true` claim).
export { operatorRetry } from './triggers/operator-retry';
export { operatorCancel } from './triggers/operator-cancel';
export { operatorUserDevices } from './triggers/operator-user-devices';
export { operatorTestSend } from './triggers/operator-test-send';

// One Firestore trigger per check (see docs/data-model.md, "Writing a check"). Your own checks go here as
// plain exports: export const checkSomething = checkTrigger(something);

// The example checks are exported only with PUSH_EXAMPLE_CHECKS=true (on for the local project
// in functions/.env.demo-push, off in functions/.env), so a plain deploy never creates triggers
// that push example texts on a real `orders` or `appointments` collection. firebase-tools
// discovers functions from this module's exports, so the switch decides what gets deployed.
if (EXAMPLE_CHECKS_ENABLED) {
  Object.assign(module.exports, {
    checkOrderShipped: checkTrigger(orderShipped),
    checkAppointmentReminder: checkTrigger(appointmentReminder),
  });
}
