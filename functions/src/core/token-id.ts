import { createHash } from 'node:crypto';

/**
 * The id of a token's `pushTokens` document: lowercase hex SHA-256 of the token. Re-registering
 * is idempotent, and the document id reveals nothing of the token itself.
 */
export function tokenIdOf(token: string): string {
  return createHash('sha256').update(token, 'utf8').digest('hex');
}

/** A token as it may appear in logs: a short prefix of its hash, never the token. */
export function tokenForLog(token: string): string {
  return `sha256:${tokenIdOf(token).slice(0, 12)}`;
}
