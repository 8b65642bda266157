/**
 * How a check is declared: the document path it watches and a pure function of the document
 * before and after the write (plain data: Timestamps arrive as Dates) and the path params.
 * It returns push requests, or `{ send, cancel }` to also cancel pending pushes by key. Keys
 * belong to a target, so a cancel names it: `{ key, to: { uid } }` cancels that user's push only.
 */
import type { PushContent, RequestTarget } from './push-request';

export type DocData = Record<string, unknown>;

/** What a check may return for one request; parsed and validated like an outbox document. */
export interface PushRequestInput extends PushContent {
  to: RequestTarget;
  reservedAt?: Date;
  expiresAt?: Date;
  key?: string;
}

/** Cancels the pending push that `to` holds under `key` (a key is scoped to its target). */
export interface CancelInput {
  key: string;
  to: RequestTarget;
}

export type CheckOutput =
  PushRequestInput[] | { send?: PushRequestInput[]; cancel?: CancelInput[] };

export interface CheckDefinition {
  /** Stable name; recorded on each push (`source.check`) and in logs. */
  name: string;
  /** Firestore document path pattern, e.g. "orders/{orderId}". */
  document: string;
  run(
    before: DocData | undefined,
    after: DocData | undefined,
    params: Record<string, string>,
  ): CheckOutput;
}

export function defineCheck(definition: CheckDefinition): CheckDefinition {
  if (!/^[A-Za-z][\w-]*$/.test(definition.name))
    throw new Error(`check name "${definition.name}" must be an identifier`);
  if (definition.document.split('/').length % 2 !== 0) {
    throw new Error(
      `check ${definition.name}: "${definition.document}" must be a document path (collection/{id}/...)`,
    );
  }
  return definition;
}

export function normalizeCheckOutput(output: CheckOutput): { send: unknown[]; cancel: unknown[] } {
  if (Array.isArray(output)) return { send: output, cancel: [] };
  if (output && typeof output === 'object') {
    return {
      send: Array.isArray(output.send) ? output.send : [],
      cancel: Array.isArray(output.cancel) ? output.cancel : [],
    };
  }
  return { send: [], cancel: [] };
}
