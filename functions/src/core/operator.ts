/**
 * The operator callables' inputs (zod schemas, like the other callables'), the operator claim and
 * how a device token is shown to an operator. Pure: no Firestore, no clock.
 */
import { z } from 'zod';
import { isPlainObject, reject, type Parsed } from './parse';
import { parsePushRequest, type PushRequest } from './push-request';
import { parseWith } from './schema';
import { jsonBytesUpTo, MAX_CALL_DATA_BYTES, tokenSchema } from './token-registration';

/** The custom claim that makes a signed-in user an operator: exactly `true`. */
export const OPERATOR_CLAIM = 'operator';

/** What a caller without the claim is told (the console shows it as it is). */
export const OPERATOR_CLAIM_REQUIRED =
  'operator claim required: ask an admin to run fcm-push operator grant <uid>; a grant applies after your ID token refreshes (sign out and in, or getIdToken(true))';

/** Whether an ID token's claims make its user an operator. */
export function isOperatorClaims(claims: Readonly<Record<string, unknown>> | undefined): boolean {
  return claims?.[OPERATOR_CLAIM] === true;
}

/** A device token as an operator sees it: the first 6 and last 4 characters. */
export function shortenToken(token: string): string {
  if (token.length <= 12) return `${token.slice(0, 2)}…`;
  return `${token.slice(0, 6)}…${token.slice(-4)}`;
}

/** Replaces every occurrence of `token` in `text` by its short form (FCM messages may quote it). */
export function withoutToken(text: string, token: string): string {
  return token === '' ? text : text.split(token).join(shortenToken(token));
}

const DATA = { field: '(data)', name: 'data' };

/** A notification's or push's id: a document id (no slash), as the stores derive them. */
const documentIdSchema = z
  .string({
    error: (iss) =>
      iss.input === undefined ? '{field} is required.' : '{field} must be a string.',
  })
  .min(1, { error: '{field} must not be empty.', abort: true })
  .max(200, { error: '{field} must be at most 200 characters.', abort: true })
  .refine((s) => !s.includes('/') && s !== '.' && s !== '..', {
    error: '{field} must be a document id (no slash).',
  });

const uidSchema = z
  .string({
    error: (iss) =>
      iss.input === undefined ? '{field} is required.' : '{field} must be a string.',
  })
  .min(1, { error: '{field} must not be empty.', abort: true })
  .max(128, { error: '{field} must be at most 128 characters.', abort: true });

const strict = <S extends z.core.$ZodLooseShape>(shape: S, example: string) =>
  z.strictObject(shape, {
    error: (iss) =>
      iss.code === 'unrecognized_keys'
        ? `{key} is not a known field (allowed: ${Object.keys(shape).join(', ')}).`
        : `data must be an object such as ${example}.`,
  });

/** operatorRetry / operatorCancel: `{ id }`. */
export const operatorIdSchema = strict({ id: documentIdSchema }, '{ id }');
export type OperatorIdInput = z.output<typeof operatorIdSchema>;

/** operatorUserDevices: `{ uid }`. */
export const operatorUidSchema = strict({ uid: uidSchema }, '{ uid }');
export type OperatorUidInput = z.output<typeof operatorUidSchema>;

/**
 * operatorTestSend: `{ to: {uid} | {token}, title?, content?, image?, validateOnly }`. `to`,
 * `title`, `content` and `image` are a push request's fields and are checked as one (the outbox's
 * schema: lengths, image URL, at least a title or content).
 */
export const operatorTestSendSchema = strict(
  {
    to: z.union(
      [strict({ uid: uidSchema }, '{ uid }'), strict({ token: tokenSchema }, '{ token }')],
      {
        error: '{field} must be { uid } or { token }.',
      },
    ),
    title: z.unknown().optional(),
    content: z.unknown().optional(),
    image: z.unknown().optional(),
    validateOnly: z.boolean({ error: '{field} must be true or false.' }),
  },
  '{ to, title, content, validateOnly }',
);

export interface OperatorTestSendInput {
  to: { uid: string } | { token: string };
  validateOnly: boolean;
  /** The push request it becomes (validated as the outbox validates one). */
  request: PushRequest;
}

function sized(data: unknown): Parsed<unknown> | undefined {
  if (jsonBytesUpTo(data, MAX_CALL_DATA_BYTES) > MAX_CALL_DATA_BYTES) {
    return reject(
      '(data)',
      `data must be at most ${MAX_CALL_DATA_BYTES.toLocaleString('en-US')} bytes as JSON.`,
    );
  }
  if (!isPlainObject(data)) return reject('(data)', 'data must be an object.');
  return undefined;
}

export function parseOperatorId(data: unknown): Parsed<OperatorIdInput> {
  const refused = sized(data);
  if (refused && !refused.ok) return refused;
  return parseWith(operatorIdSchema, data, '', DATA);
}

export function parseOperatorUid(data: unknown): Parsed<OperatorUidInput> {
  const refused = sized(data);
  if (refused && !refused.ok) return refused;
  return parseWith(operatorUidSchema, data, '', DATA);
}

export function parseOperatorTestSend(data: unknown): Parsed<OperatorTestSendInput> {
  const refused = sized(data);
  if (refused && !refused.ok) return refused;
  const shape = parseWith(operatorTestSendSchema, data, '', DATA);
  if (!shape.ok) return shape;
  const { to, title, content, image, validateOnly } = shape.value;
  const fields = Object.fromEntries(
    Object.entries({ title, content, image }).filter(([, v]) => v !== undefined),
  );
  const request = parsePushRequest({ to, ...fields });
  if (!request.ok) return request;
  return { ok: true, value: { to, validateOnly, request: request.value } };
}

/**
 * A user's custom claims with the operator claim granted (`operator: true`) or revoked (removed),
 * every other claim kept; `null` when nothing is left (the Admin SDK then clears the claims).
 */
export function withOperatorClaim(
  claims: Readonly<Record<string, unknown>> | undefined,
  on: boolean,
): Record<string, unknown> | null {
  const next: Record<string, unknown> = { ...(claims ?? {}) };
  if (on) next[OPERATOR_CLAIM] = true;
  else delete next[OPERATOR_CLAIM];
  return Object.keys(next).length > 0 ? next : null;
}
