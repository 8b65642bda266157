/**
 * Granting and revoking the operator claim (`operator: true`, core/operator.ts) with the Admin
 * SDK's Auth: the user's other custom claims are kept. Used by `fcm-push operator` and usable by
 * the local stack's own operator account.
 */
import type { Auth } from 'firebase-admin/auth';
import { isOperatorClaims, withOperatorClaim } from '../../../functions/src/core/operator';
import { OperationalError } from './errors';

export interface ClaimChange {
  uid: string;
  operator: boolean;
  /** False when the user already was (or was not) an operator: nothing was written. */
  changed: boolean;
  /** The names of the user's custom claims now (values are not shown). */
  claims: string[];
}

export async function setOperatorClaim(auth: Auth, uid: string, on: boolean): Promise<ClaimChange> {
  let current: Record<string, unknown> | undefined;
  try {
    current = (await auth.getUser(uid)).customClaims;
  } catch (err) {
    if ((err as { code?: string }).code === 'auth/user-not-found') {
      throw new OperationalError(`no user with uid ${uid}.`);
    }
    throw err;
  }
  const changed = isOperatorClaims(current) !== on;
  const next = withOperatorClaim(current, on);
  if (changed) await auth.setCustomUserClaims(uid, next);
  return { uid, operator: on, changed, claims: Object.keys((changed ? next : current) ?? {}) };
}
