/**
 * Scans captured log output for secrets: full FCM registration tokens and OAuth access tokens.
 * Logs may carry a token only as its short hash (core/token-id.ts tokenForLog).
 *
 * Rather than searching every log for every token (thousands x megabytes), it extracts every
 * substring shaped like either kind of secret and looks it up in the sets of real ones.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { tokenForLog } from '../../functions/src/core/token-id';

/** Chaos FCM tokens (test/chaos/chaos.ts fcmTokenFor) and local access tokens (metadata server). */
const FCM_TOKEN_SHAPE = /c\d+-\d+:APA91b[A-Za-z0-9_-]+/g;
const ACCESS_TOKEN_SHAPE = /ya29\.[A-Za-z0-9._-]+/g;

export interface SecretScan {
  lines: number;
  /** `file:line kind sha256:…` for each leak; the secret itself is never repeated. */
  found: string[];
}

export function findSecretsInText(
  text: string,
  secrets: { fcmTokens: ReadonlySet<string>; accessTokens: ReadonlySet<string> },
  where: string,
): string[] {
  const found: string[] = [];
  text.split('\n').forEach((line, i) => {
    for (const m of line.matchAll(FCM_TOKEN_SHAPE)) {
      if (secrets.fcmTokens.has(m[0]))
        found.push(`${where}:${i + 1} FCM token ${tokenForLog(m[0])}`);
    }
    for (const m of line.matchAll(ACCESS_TOKEN_SHAPE)) {
      if (secrets.accessTokens.has(m[0]))
        found.push(`${where}:${i + 1} access token ${tokenForLog(m[0])}`);
    }
  });
  return found;
}

export function findSecretsInLogs(
  dir: string,
  secrets: { fcmTokens: readonly string[]; accessTokens: readonly string[] },
): SecretScan {
  const sets = {
    fcmTokens: new Set(secrets.fcmTokens),
    accessTokens: new Set(secrets.accessTokens),
  };
  let lines = 0;
  const found: string[] = [];
  for (const name of readdirSync(dir).sort()) {
    const text = readFileSync(join(dir, name), 'utf8');
    lines += text.split('\n').filter((l) => l.trim() !== '').length;
    found.push(...findSecretsInText(text, sets, name));
  }
  return { lines, found };
}
