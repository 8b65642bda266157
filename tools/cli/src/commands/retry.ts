import {
  RETRYABLE_STATUSES,
  type ChangeOutcome,
} from '../../../../functions/src/adapters/operator-actions';
import { flag } from '../args';
import { UsageError } from '../errors';
import { reportChanges } from './changes';
import type { Command } from './command';

const PAGE = 500;

export const retry: Command = {
  name: 'retry',
  summary: 'put failed, rejected or expired pushes back in the queue, due now',
  help: `Usage: fcm-push retry <pushId>... | --all-failed

Makes each push (a device delivery, or a token, topic or condition push) pending again, due
now: attempts reset to 0, isSent false, a "retried" history entry. Only
${RETRYABLE_STATUSES.join(', ')} pushes are retried; pending, sending, sent and cancelled ones
are refused, and so is a notification id (retry its deliveries, which fcm-push show <id> lists).
A push whose expiresAt has passed loses its expiry (otherwise the drain would expire it again).
A retried device delivery is still sent only while its token belongs to its user. Exit code 1
when any push was not retried.

  --all-failed   every push with status failed (rejected and expired ones only by id: they
                 would end the same way without a change)`,
  options: { 'all-failed': { type: 'boolean' } },
  allowPositionals: true,
  async run(args, ctx, out) {
    const allFailed = flag(args, 'all-failed');
    if (args.positionals.length === 0 && !allFailed) {
      throw new UsageError('retry needs push ids or --all-failed.');
    }
    const actions = await ctx.actions();
    const outcomes: ChangeOutcome[] = [];
    if (args.positionals.length > 0) {
      const snaps = await actions.lookUp([...new Set(args.positionals)]);
      outcomes.push(...(await actions.retry(snaps, ctx.now())));
    }
    if (allFailed) {
      let seen = 0;
      for await (const page of actions.pushPagesByStatus('failed', PAGE)) {
        outcomes.push(...(await actions.retry(page, ctx.now())));
        seen += page.length;
        out.progress(`retried ${seen} failed pushes so far`);
      }
    }
    return reportChanges(out, 'retried', outcomes);
  },
};
