/** pruneStaleTokens: daily, delete tokens not refreshed for STALE_TOKEN_DAYS. */
import { onSchedule } from 'firebase-functions/v2/scheduler';
import * as logger from 'firebase-functions/logger';
import { REGION, readSettings } from '../config/params';
import { firestore } from '../adapters/firebase-app';
import { createTokenStore } from '../adapters/token-store';
import { pruneStaleTokens as prune } from '../use-cases/prune-stale-tokens';

export const pruneStaleTokens = onSchedule(
  { schedule: 'every day 03:00', region: REGION, timeoutSeconds: 300, memory: '256MiB' },
  async () => {
    const result = await prune(
      { tokens: createTokenStore(firestore()), now: Date.now },
      { staleTokenDays: readSettings().staleTokenDays },
    );
    logger.info('tokens.pruned', result);
  },
);
