/**
 * registerToken: a signed-in app saves its FCM registration token.
 * The story: check the caller, parse the input, upsert pushTokens/{sha256(token)}, keep at most
 * N devices for the user.
 */
import { fail } from '../core/errors';
import { tokenIdOf } from '../core/token-id';
import { parseRegisterTokenInput, parseUnregisterTokenInput } from '../core/token-registration';
import type { SavedToken, TokenStore } from '../adapters/token-store';

export interface Caller {
  uid: string;
  /** True when the request carried a valid App Check token. */
  appVerified: boolean;
}

export interface CallerPolicy {
  enforceAppCheck: boolean;
}

export function requireCaller(caller: Caller | undefined, policy: CallerPolicy): Caller {
  if (!caller?.uid) {
    return fail({ kind: 'unauthenticated', message: 'Sign in before registering a device token.' });
  }
  if (policy.enforceAppCheck && !caller.appVerified) {
    return fail({
      kind: 'app-check-required',
      message: 'This project requires App Check: send a valid App Check token with the call.',
    });
  }
  return caller;
}

export async function registerToken(
  deps: { tokens: TokenStore; maxDevicesPerUser: number } & CallerPolicy,
  caller: Caller | undefined,
  data: unknown,
): Promise<SavedToken> {
  const { uid } = requireCaller(caller, deps);
  const input = parseRegisterTokenInput(data);
  if (!input.ok)
    return fail({ kind: 'invalid-argument', field: input.field, message: input.message });
  return deps.tokens.save(uid, tokenIdOf(input.value.token), input.value, deps.maxDevicesPerUser);
}

/**
 * unregisterToken (logout): removes the caller's token. The answer is the same whether the token
 * was the caller's, someone else's or unknown, so the call reveals nothing about other users.
 */
export async function unregisterToken(
  deps: { tokens: TokenStore } & CallerPolicy,
  caller: Caller | undefined,
  data: unknown,
): Promise<{ removed: boolean }> {
  const { uid } = requireCaller(caller, deps);
  const input = parseUnregisterTokenInput(data);
  if (!input.ok)
    return fail({ kind: 'invalid-argument', field: input.field, message: input.message });
  return { removed: await deps.tokens.deleteIfOwnedBy(uid, tokenIdOf(input.value.token)) };
}
