import {
  NOTIFICATION_STATUSES,
  type NotificationStatus,
} from '../../../../functions/src/core/notification';
import { PUSH_STATUSES, type PushStatus } from '../../../../functions/src/core/push';
import { flag, intOption, stringOption } from '../args';
import { UsageError } from '../errors';
import { pushView, resultCode, targetLabel, type Plain } from '../push-view';
import type { Command } from './command';

interface Row {
  id: string;
  status: unknown;
  target: string;
  title: unknown;
  attempts: unknown;
  code?: string;
  createdAt: unknown;
  deliveries?: number;
}

function rowOf(v: Plain, notifications: boolean): Row {
  const row: Row = {
    id: String(v.id),
    status: v.status,
    target: notifications ? `user ${String(v.uid)}` : targetLabel(v),
    title: v.title,
    attempts: v.attempts,
    code: resultCode(v),
    createdAt: v.createdAt,
  };
  if (notifications && Array.isArray(v.deliveryIds)) row.deliveries = v.deliveryIds.length;
  return row;
}

export const list: Command = {
  name: 'list',
  summary: 'pushes (or, with --notifications, notifications) by status, newest first',
  help: `Usage: fcm-push list [--notifications] [--status <status>] [--limit <n>]

Lists pushes, newest first (by createdAt): device deliveries, and token, topic and condition
pushes. With --notifications, lists notifications instead: one per request for a user, kept
until due and then expanded into one delivery per device the user has at that moment.

  --notifications  list notifications instead of pushes
  --status <s>     only this status; pushes: ${PUSH_STATUSES.join('|')}
                   notifications: ${NOTIFICATION_STATUSES.join('|')}
  --limit <n>      at most n (1-1000, default 20)`,
  options: {
    notifications: { type: 'boolean' },
    status: { type: 'string' },
    limit: { type: 'string' },
  },
  allowPositionals: false,
  async run(args, ctx, out) {
    const notifications = flag(args, 'notifications');
    const what = notifications ? 'notifications' : 'pushes';
    const statuses: readonly string[] = notifications ? NOTIFICATION_STATUSES : PUSH_STATUSES;
    const status = stringOption(args, 'status');
    if (status !== undefined && !statuses.includes(status)) {
      throw new UsageError(`--status of ${what} must be one of ${statuses.join(', ')}.`);
    }
    const limit = intOption(args, 'limit', { min: 1, max: 1000 }, 20);
    const actions = await ctx.actions();
    const snaps = notifications
      ? await actions.recentNotifications(status as NotificationStatus | undefined, limit)
      : await actions.recentPushes(status as PushStatus | undefined, limit);
    const rows = snaps.map((s) => rowOf(pushView(s), notifications));
    out.result({ project: ctx.target.projectId, status: status ?? null, [what]: rows }, () =>
      rows.length === 0
        ? [`no ${what}${status ? ` with status ${status}` : ''}`]
        : rows.map((r) =>
            [
              r.createdAt ?? '-',
              r.id,
              String(r.status).padEnd(notifications ? 13 : 9),
              r.target,
              `attempts=${r.attempts ?? 0}`,
              r.deliveries !== undefined ? `deliveries=${r.deliveries}` : '',
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
