/**
 * The operator console's actions, as callables: retry a failed push, cancel a pending one, list a
 * user's devices (tokens shortened), send a test push. Every one first checks the caller: signed
 * in, App Check when enforced, then the operator claim. Retry and cancel are the CLI's own
 * (adapters/operator-actions.ts, with the operator's uid as `by` in the history); a test send is
 * either FCM's validate_only through our FCM client, or a request queued through the normal queue
 * path (queuePushes), which the trigger then delivers like the outbox does.
 */
import { randomBytes } from 'node:crypto';
import { fail, valueOrFail } from '../core/errors';
import {
  OPERATOR_CLAIM_REQUIRED,
  parseOperatorId,
  parseOperatorTestSend,
  parseOperatorUid,
  shortenToken,
  withoutToken,
} from '../core/operator';
import { buildFcmMessage } from '../core/push';
import { tokenIdOf } from '../core/token-id';
import type { FcmSender } from '../fcm/types';
import type {
  ActionAnswer,
  DeviceView,
  TestSendAnswer,
  UserDevicesAnswer,
  ValidatedDevice,
} from './operator-contract';
import type { ChangeOutcome, OperatorActionStore, TokenStore } from './ports';
import { queuePushes, type QueueDeps, type QueueResult } from './queue-pushes';
import { requireCaller, type Caller, type CallerPolicy } from './register-token';

/** The short token id operators see (the first 12 hex characters of its SHA-256). */
export const SHORT_TOKEN_ID_LENGTH = 12;

/** The caller, who must be signed in (with App Check when enforced) and an operator. */
export function requireOperator(
  caller: Caller | undefined,
  isOperator: boolean,
  policy: CallerPolicy,
): Caller {
  const c = requireCaller(caller, policy, 'using the operator console');
  if (!isOperator) fail({ kind: 'permission-denied', message: OPERATOR_CLAIM_REQUIRED });
  return c;
}

function answerOf(outcome: ChangeOutcome): ActionAnswer {
  if (outcome.ok) return { id: outcome.id, kind: outcome.kind, from: outcome.from };
  return fail(
    outcome.reason === 'not-found'
      ? { kind: 'not-found', message: outcome.message }
      : { kind: 'failed-precondition', message: outcome.message },
  );
}

export interface OperatorDeps extends CallerPolicy {
  now: () => number;
}

/** Retry or cancel: one operator's action on one document, by id. */
export type ActionDeps = OperatorDeps & { actions: (operator: string) => OperatorActionStore };

export type OperatorAction = (
  deps: ActionDeps,
  caller: Caller | undefined,
  isOperator: boolean,
  data: unknown,
) => Promise<ActionAnswer>;

function operatorAction(action: 'retry' | 'cancel'): OperatorAction {
  return async (deps, caller, isOperator, data) => {
    const { uid } = requireOperator(caller, isOperator, deps);
    const { id } = valueOrFail(parseOperatorId(data));
    return answerOf(await deps.actions(uid)[action](id, deps.now()));
  };
}

/** operatorRetry({ id }): a failed, rejected or expired push back in the queue, due now. */
export const operatorRetry = operatorAction('retry');

/** operatorCancel({ id }): a pending notification or push ends cancelled. */
export const operatorCancel = operatorAction('cancel');

/** operatorUserDevices({ uid }): the user's devices, tokens shortened. */
export async function operatorUserDevices(
  deps: OperatorDeps & { tokens: TokenStore },
  caller: Caller | undefined,
  isOperator: boolean,
  data: unknown,
): Promise<UserDevicesAnswer> {
  requireOperator(caller, isOperator, deps);
  const { uid } = valueOrFail(parseOperatorUid(data));
  const devices = (await deps.tokens.listByUser(uid))
    .sort((a, b) => b.updatedAtMs - a.updatedAtMs)
    .map((d): DeviceView => ({
      tokenId: d.tokenId.slice(0, SHORT_TOKEN_ID_LENGTH),
      token: shortenToken(d.token),
      platform: d.platform,
      ...(d.locale !== undefined ? { locale: d.locale } : {}),
      ...(d.timezone !== undefined ? { timezone: d.timezone } : {}),
      ...(d.appVersion !== undefined ? { appVersion: d.appVersion } : {}),
      ...(d.createdAtMs !== undefined ? { createdAt: d.createdAtMs } : {}),
      ...(d.updatedAtMs ? { updatedAt: d.updatedAtMs } : {}),
    }));
  return { uid, devices };
}

/** What the trigger needs besides the answer: what to deliver now, and the event id it used. */
export interface TestSendResult {
  answer: TestSendAnswer;
  queued?: { result: QueueResult; eventId: string };
}

/**
 * operatorTestSend({ to: {uid}|{token}, title?, content?, image?, validateOnly }):
 * - validateOnly: FCM's validate_only for each device (the user's tokens, or the one token), as
 *   the queue would build the message; nothing is written;
 * - otherwise a request due now, queued through the normal queue path (a notification for a uid,
 *   a push for a token), its history's `queued` entry with `by: <operator uid>`.
 */
export async function operatorTestSend(
  deps: OperatorDeps & QueueDeps & { tokens: TokenStore; sender: FcmSender },
  caller: Caller | undefined,
  isOperator: boolean,
  data: unknown,
): Promise<TestSendResult> {
  const { uid: operator } = requireOperator(caller, isOperator, deps);
  const input = valueOrFail(parseOperatorTestSend(data));
  const nowMs = deps.now();
  if (input.validateOnly) {
    const tokens =
      'token' in input.to
        ? [input.to.token]
        : (await deps.tokens.listByUser(input.to.uid)).map((d) => d.token);
    // The message as the queue would build it for that device (push_id, tag, collapse id).
    const content = Object.fromEntries(
      Object.entries(input.request).filter(([k, v]) => k !== 'to' && v !== undefined),
    ) as Omit<typeof input.request, 'to'>;
    const messages = tokens.map((token) =>
      buildFcmMessage(
        {
          id: `operator-test-${randomBytes(6).toString('hex')}`,
          target: { token },
          attempts: 0,
          ...content,
        },
        nowMs,
      ),
    );
    const outcomes = messages.length
      ? await deps.sender.sendAll(messages, { validateOnly: true })
      : [];
    const devices = tokens.map((token, i): ValidatedDevice => {
      const o = outcomes[i]!;
      const shown = {
        tokenId: tokenIdOf(token).slice(0, SHORT_TOKEN_ID_LENGTH),
        token: shortenToken(token),
      };
      return o.ok
        ? { ...shown, ok: true }
        : {
            ...shown,
            ok: false,
            code: o.error.code,
            // An error message may quote the token it refused.
            message: withoutToken(o.error.message, token),
          };
    });
    return { answer: { validateOnly: true, devices } };
  }
  const eventId = `operator:${operator}:${nowMs}:${randomBytes(6).toString('hex')}`;
  const result = await queuePushes(deps, [{ index: 0, request: input.request }], {
    eventId,
    eventTimeMs: nowMs,
    nowMs,
    path: `operators/${operator}`,
    check: 'operatorTestSend',
    by: operator,
  });
  const notificationId = result.notificationIds[0];
  const pushId = result.pushIds[0];
  if (notificationId === undefined && pushId === undefined) {
    // queuePushes skips only what FCM would refuse (the schema passed it): say why.
    return fail({
      kind: 'invalid-argument',
      field: '(data)',
      message: result.skipped[0]?.reason ?? 'the test push could not be queued.',
    });
  }
  return {
    answer:
      notificationId !== undefined
        ? { validateOnly: false, id: notificationId, kind: 'notification' }
        : { validateOnly: false, id: pushId!, kind: 'push' },
    queued: { result, eventId },
  };
}
