/**
 * registerToken: a signed-in app saves its FCM registration token.
 * The story: check the caller, count the call against the caller's rate limit, parse the input,
 * upsert pushTokens/{sha256(token)}, keep at most N devices for the user. Optional metadata that
 * cannot be used (a malformed locale, time zone or app version, an unknown field) is left out and
 * reported back as warnings: only a bad token or platform fails the call.
 */
import { fail } from '../core/errors';
import { ONE_MINUTE_MS } from '../core/rate-limit';
import { tokenIdOf } from '../core/token-id';
import {
  parseRegisterTokenInput,
  parseUnregisterTokenInput,
  type RegistrationWarning,
} from '../core/token-registration';
import type { RateLimitStore, SavedToken, TokenStore } from './ports';

export interface Caller {
  uid: string;
  /** True when the request carried a valid App Check token. */
  appVerified: boolean;
}

export interface CallerPolicy {
  enforceAppCheck: boolean;
}

export function requireCaller(
  caller: Caller | undefined,
  policy: CallerPolicy,
  doing = 'registering a device token',
): Caller {
  if (!caller?.uid) {
    return fail({ kind: 'unauthenticated', message: `Sign in before ${doing}.` });
  }
  if (policy.enforceAppCheck && !caller.appVerified) {
    return fail({
      kind: 'app-check-required',
      message: 'This project requires App Check: send a valid App Check token with the call.',
    });
  }
  return caller;
}

/** The per-user limit shared by registerToken and unregisterToken. */
export interface CallLimit {
  rateLimits: RateLimitStore;
  tokenCallsPerMinute: number;
  now: () => number;
}

/**
 * Counts this call against the caller's limit. It runs after the caller check (anonymous calls
 * are refused before costing a Firestore transaction) and before the input is looked at, so
 * garbage input counts against the caller like any other call.
 */
export async function limitCalls(deps: CallLimit, uid: string): Promise<void> {
  const decision = await deps.rateLimits.take(uid, deps.now(), {
    limit: deps.tokenCallsPerMinute,
    windowMs: ONE_MINUTE_MS,
  });
  if (!decision.allowed) {
    fail({
      kind: 'rate-limited',
      message: `Too many token calls: at most ${deps.tokenCallsPerMinute} per minute. Retry after ${decision.retryAfterSeconds} s.`,
      retryAfterSeconds: decision.retryAfterSeconds,
    });
  }
}

/** The gate of every user callable: the caller (requireCaller), then its rate limit (limitCalls). */
export async function admitCaller(
  caller: Caller | undefined,
  deps: CallerPolicy & CallLimit,
  doing?: string,
): Promise<string> {
  const { uid } = requireCaller(caller, deps, doing);
  await limitCalls(deps, uid);
  return uid;
}

export async function registerToken(
  deps: { tokens: TokenStore; maxDevicesPerUser: number } & CallerPolicy & CallLimit,
  caller: Caller | undefined,
  data: unknown,
): Promise<SavedToken & { warnings: RegistrationWarning[] }> {
  const uid = await admitCaller(caller, deps);
  const input = parseRegisterTokenInput(data);
  if (!input.ok)
    return fail({ kind: 'invalid-argument', field: input.field, message: input.message });
  const saved = await deps.tokens.save(
    uid,
    tokenIdOf(input.value.token),
    input.value,
    deps.maxDevicesPerUser,
  );
  return { ...saved, warnings: input.warnings };
}

/**
 * unregisterToken (logout): removes the caller's token. The answer is the same whether the token
 * was the caller's, someone else's or unknown, so the call reveals nothing about other users.
 */
export async function unregisterToken(
  deps: { tokens: TokenStore } & CallerPolicy & CallLimit,
  caller: Caller | undefined,
  data: unknown,
): Promise<{ removed: boolean }> {
  const uid = await admitCaller(caller, deps);
  const input = parseUnregisterTokenInput(data);
  if (!input.ok)
    return fail({ kind: 'invalid-argument', field: input.field, message: input.message });
  return { removed: await deps.tokens.deleteIfOwnedBy(uid, tokenIdOf(input.value.token)) };
}
