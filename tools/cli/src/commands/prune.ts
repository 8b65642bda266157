import { Timestamp } from 'firebase-admin/firestore';
import { QUERIES } from '../../../../functions/src/adapters/queries';
import { PUSH_TOKENS, type TokenStore } from '../../../../functions/src/adapters/token-store';
import { pruneStaleTokens } from '../../../../functions/src/use-cases/prune-stale-tokens';
import { flag, intOption } from '../args';
import { UsageError } from '../errors';
import type { Command } from './command';

const DAY_MS = 86_400_000;

export const prune: Command = {
  name: 'prune',
  summary: 'delete tokens not refreshed for N days, now',
  help: `Usage: fcm-push prune [--days <n>] [--dry-run]

Runs pruneStaleTokens now: deletes pushTokens whose updatedAt is older than n days.

  --days <n>   staleness limit (1-3650); default STALE_TOKEN_DAYS as the functions see it
               (environment, functions/.env, functions/.env.<project>, else 60)
  --dry-run    only count the tokens that would be deleted`,
  options: { days: { type: 'string' }, 'dry-run': { type: 'boolean' } },
  allowPositionals: false,
  async run(args, ctx, out) {
    if (args.positionals.length > 0) throw new UsageError('prune takes no arguments.');
    const days = intOption(args, 'days', { min: 1, max: 3650 }, ctx.staleTokenDays());
    const nowMs = ctx.now();
    const before = new Date(nowMs - days * DAY_MS).toISOString();
    if (flag(args, 'dry-run')) {
      const q = QUERIES.staleTokens;
      const stale = (
        await (
          await ctx.firestore()
        )
          .collection(PUSH_TOKENS)
          .where(q.order.field, '<', Timestamp.fromMillis(nowMs - days * DAY_MS))
          .count()
          .get()
      ).data().count;
      out.result({ days, before, dryRun: true, stale }, () => [
        `${stale} tokens not refreshed since ${before} (${days} days) would be deleted`,
      ]);
      return 0;
    }
    const tokens = await ctx.tokens();
    let deleted = 0;
    // The use case deletes page by page; counting pages here gives the operator progress.
    const counting: TokenStore = {
      ...tokens,
      async deleteStale(beforeMs, limit) {
        const n = await tokens.deleteStale(beforeMs, limit);
        deleted += n;
        if (n > 0) out.progress(`deleted ${deleted} stale tokens so far`);
        return n;
      },
    };
    const result = await pruneStaleTokens(
      { tokens: counting, now: ctx.now },
      // No time budget: unlike the scheduled function, the operator waits for the end.
      { staleTokenDays: days, timeBudgetMs: Number.POSITIVE_INFINITY },
    );
    out.result({ days, before, dryRun: false, ...result }, () => [
      `deleted ${result.deleted} tokens not refreshed since ${before} (${days} days)`,
    ]);
    return 0;
  },
};
