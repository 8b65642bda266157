/**
 * pruneStaleTokens: FCM considers a token stale after about a month without refresh (apps call
 * registerToken on start, which refreshes updatedAt). Deletes tokens older than the limit, in pages.
 */
import type { TokenStore } from './ports';

export async function pruneStaleTokens(
  deps: { tokens: TokenStore; now: () => number },
  settings: { staleTokenDays: number; pageSize?: number; timeBudgetMs?: number },
): Promise<{ deleted: number; complete: boolean }> {
  const startMs = deps.now();
  const beforeMs = startMs - settings.staleTokenDays * 24 * 60 * 60 * 1000;
  const pageSize = settings.pageSize ?? 500;
  let deleted = 0;
  while (deps.now() - startMs < (settings.timeBudgetMs ?? 240_000)) {
    const n = await deps.tokens.deleteStale(beforeMs, pageSize);
    deleted += n;
    if (n < pageSize) return { deleted, complete: true };
  }
  return { deleted, complete: false };
}
