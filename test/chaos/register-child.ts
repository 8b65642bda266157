/**
 * Registers a sample of the chaos run's tokens through the deployed registerToken callable
 * (`.run`, the handler the Functions runtime calls), in its own process so that its log output
 * can be scanned for secrets like the drains'. Tokens arrive as JSON on stdin.
 */
import { readFileSync } from 'node:fs';
import { registerToken } from '../../functions/src/triggers/register-token';
import type { CallableRequest } from 'firebase-functions/v2/https';

async function main(): Promise<void> {
  const tokens = JSON.parse(readFileSync(0, 'utf8')) as string[];
  for (const [i, token] of tokens.entries()) {
    const uid = `chaos-user-${i}`;
    await registerToken.run({
      data: { token, platform: 'android', locale: 'ko-KR' },
      auth: { uid, token: { uid } as never, rawToken: 'id-token' },
      rawRequest: {} as CallableRequest['rawRequest'],
      acceptsStreaming: false,
    } as CallableRequest);
  }
  process.exit(0);
}

main().catch((err) => {
  console.error(err instanceof Error ? err.message : err);
  process.exit(1);
});
