// Deployed functions. Each lives in its own file under triggers/; this file only exports.
import { appointmentReminder, orderShipped } from './checks';
import { checkTrigger } from './triggers/check-trigger';

export { registerToken } from './triggers/register-token';
export { unregisterToken } from './triggers/unregister-token';
export { checkPushRequest } from './triggers/check-push-request';
export { drainReservedPushes } from './triggers/drain-reserved-pushes';
export { pruneStaleTokens } from './triggers/prune-stale-tokens';

// One Firestore trigger per check (see README "Writing a check").
export const checkOrderShipped = checkTrigger(orderShipped);
export const checkAppointmentReminder = checkTrigger(appointmentReminder);
