/**
 * The closed set of failures a use case reports to a caller. Triggers map them to HttpsError in
 * one place (edge/https-errors.ts), so codes and messages stay stable for client developers.
 */
import type { Parsed } from './parse';

export type DomainError =
  | { kind: 'unauthenticated'; message: string }
  | { kind: 'invalid-argument'; field: string; message: string }
  | { kind: 'rate-limited'; message: string; retryAfterSeconds: number }
  | { kind: 'app-check-required'; message: string }
  /** Signed in, but without the operator claim (operator callables). */
  | { kind: 'permission-denied'; message: string }
  /** The document is not in a state the action applies to (an operator's retry or cancel). */
  | { kind: 'failed-precondition'; message: string }
  | { kind: 'not-found'; message: string };

export class DomainFailure extends Error {
  constructor(readonly error: DomainError) {
    super(error.message);
    this.name = 'DomainFailure';
  }
}

export const fail = (error: DomainError): never => {
  throw new DomainFailure(error);
};

/** A parsed value, or the refusal as the caller sees it: invalid-argument naming the field. */
export function valueOrFail<T>(parsed: Parsed<T>): T {
  if (!parsed.ok) {
    return fail({ kind: 'invalid-argument', field: parsed.field, message: parsed.message });
  }
  return parsed.value;
}
