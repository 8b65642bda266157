import { intOption, stringOption } from '../args';
import { PUSH_STATUSES, type PushStatus } from '../../../../functions/src/core/push';
import { UsageError } from '../errors';
import { createOperatorStore } from '../operator-store';
import { pushView, resultCode, targetLabel } from '../push-view';
import type { Command } from './command';

export const list: Command = {
  name: 'list',
  summary: 'pushes by status, newest first',
  help: `Usage: fcm-push list [--status <status>] [--limit <n>]

Lists pushes, newest first (by createdAt).

  --status <s>   only pushes in this status: ${PUSH_STATUSES.join('|')}
  --limit <n>    at most n pushes (1-1000, default 20)`,
  options: { status: { type: 'string' }, limit: { type: 'string' } },
  allowPositionals: false,
  async run(args, ctx, out) {
    const status = stringOption(args, 'status');
    if (status !== undefined && !(PUSH_STATUSES as readonly string[]).includes(status)) {
      throw new UsageError(`--status must be one of ${PUSH_STATUSES.join(', ')}.`);
    }
    const limit = intOption(args, 'limit', { min: 1, max: 1000 }, 20);
    const store = createOperatorStore(await ctx.firestore(), ctx.operator);
    const views = (await store.recent(status as PushStatus | undefined, limit)).map(pushView);
    const rows = views.map((v) => ({
      id: v.id,
      status: v.status,
      target: targetLabel(v),
      title: v.title,
      attempts: v.attempts,
      code: resultCode(v),
      createdAt: v.createdAt,
    }));
    out.result({ project: ctx.target.projectId, status: status ?? null, pushes: rows }, () =>
      rows.length === 0
        ? [`no pushes${status ? ` with status ${status}` : ''}`]
        : rows.map((r) =>
            [
              r.createdAt ?? '-',
              r.id,
              String(r.status).padEnd(9),
              r.target,
              `attempts=${r.attempts ?? 0}`,
              r.code ?? '',
              r.title !== undefined ? JSON.stringify(r.title) : '',
            ]
              .filter((p) => p !== '')
              .join('  '),
          ),
    );
    return 0;
  },
};
