import { PUSH_REQUESTS } from '../../../../functions/src/adapters/outbox-store';
import { processPushRequest, type OutboxOutcome } from '../../../../functions/src/use-cases/outbox';
import { flag, intOption, stringOption } from '../args';
import { UsageError } from '../errors';
import { formatAge } from '../push-view';
import type { Command } from './command';

interface Row {
  path: string;
  createdAt: string;
  ageSeconds: number;
  /** With --replay: what processing it gave. */
  outcome?:
    | { status: 'accepted'; pushIds: string[]; notificationIds: string[]; skipped: string[] }
    | { status: 'rejected'; reason: string; field?: string }
    | { status: 'error'; message: string };
}

function outcomeOf(o: OutboxOutcome): NonNullable<Row['outcome']> {
  if (o.status === 'rejected') {
    return { status: 'rejected', reason: o.reason, ...(o.field ? { field: o.field } : {}) };
  }
  return {
    status: 'accepted',
    pushIds: o.queued.pushIds,
    notificationIds: o.queued.notificationIds,
    skipped: o.queued.skipped.map((s) => s.reason),
  };
}

function outcomeLine(o: NonNullable<Row['outcome']>): string {
  switch (o.status) {
    case 'accepted': {
      const ids = [
        ...o.notificationIds.map((id) => `notification ${id}`),
        ...o.pushIds.map((id) => `push ${id}`),
      ];
      return `accepted: ${ids.join(', ')}`;
    }
    case 'rejected':
      return `rejected: ${o.reason}`;
    case 'error':
      return `error: ${o.message}`;
  }
}

export const outbox: Command = {
  name: 'outbox',
  summary: 'find outbox documents (pushRequests) never processed, and replay them',
  help: `Usage: fcm-push outbox --unprocessed [--replay] [--limit <n>] [--start-after <id>]

The recovery path for the outbox. The checkPushRequest trigger processes each new
pushRequests document and records its outcome (status accepted or rejected) on it, retrying on
failure. If its retries run out (or the event was older than MAX_EVENT_AGE_SECONDS), the
document stays without a status and nothing was queued for it. Such documents carry no field a
query could select them by, so this command scans pushRequests by document name, a bounded
number at a time, and lists those without a status (path, age).

With --replay, each is processed as the trigger would have done: queued through the same check
path and its outcome recorded on it. The ids derive from the document's path and creation time,
exactly as the trigger derives them, so nothing is queued twice: not when the trigger had queued
the document but died before recording the outcome, not when a late trigger retry runs beside
the replay, not on a second replay. Replayed pushes are sent by the next drain run, not at once.

  --unprocessed       list documents without a status (required)
  --replay            process each one now and print its outcome
  --limit <n>         scan at most n documents (1-100000, default 1000); when the scan stops
                      there, the output names the last one scanned: continue with --start-after
  --start-after <id>  start the scan after this document id (from an earlier run)`,
  options: {
    unprocessed: { type: 'boolean' },
    replay: { type: 'boolean' },
    limit: { type: 'string' },
    'start-after': { type: 'string' },
  },
  allowPositionals: false,
  async run(args, ctx, out) {
    if (!flag(args, 'unprocessed')) throw new UsageError('outbox needs --unprocessed.');
    const replay = flag(args, 'replay');
    const scanLimit = intOption(args, 'limit', { min: 1, max: 100_000 }, 1000);
    const startAfter = stringOption(args, 'start-after');
    if (startAfter !== undefined && (startAfter === '' || startAfter.includes('/'))) {
      throw new UsageError('--start-after takes a document id of pushRequests (no "/").');
    }
    const stores = await ctx.stores();
    out.progress(`scanning ${PUSH_REQUESTS} in ${ctx.target.projectId} (at most ${scanLimit})`);
    const scan = await stores.outbox.scanUnprocessed({ scanLimit, startAfter });
    const nowMs = ctx.now();
    const rows: Row[] = scan.unprocessed.map((u) => ({
      path: u.path,
      createdAt: new Date(u.createTimeMs).toISOString(),
      ageSeconds: Math.floor((nowMs - u.createTimeMs) / 1000),
    }));
    let failed = 0;
    if (replay) {
      for (const [i, u] of scan.unprocessed.entries()) {
        try {
          rows[i]!.outcome = outcomeOf(await processPushRequest(stores, u, ctx.now()));
        } catch (error) {
          failed++;
          rows[i]!.outcome = {
            status: 'error',
            message: error instanceof Error ? error.message : String(error),
          };
        }
        if ((i + 1) % 50 === 0) out.progress(`replayed ${i + 1} of ${rows.length}`);
      }
    }
    const value = {
      project: ctx.target.projectId,
      scanned: scan.scanned,
      unprocessed: rows.length,
      ...(replay ? { replayed: rows.length - failed, failed } : {}),
      more: scan.last !== undefined,
      ...(scan.last !== undefined ? { last: scan.last } : {}),
      documents: rows,
    };
    out.result(value, () => [
      ...rows.map((r) =>
        [
          r.path,
          `age ${formatAge(r.ageSeconds * 1000)}`,
          `created ${r.createdAt}`,
          r.outcome ? outcomeLine(r.outcome) : '',
        ]
          .filter((p) => p !== '')
          .join('  '),
      ),
      `scanned ${scan.scanned}, ${rows.length} without a status` +
        (replay ? `, ${rows.length - failed} replayed, ${failed} failed` : '') +
        (rows.length > 0 && !replay ? ' (replay them with --replay)' : ''),
      ...(scan.last !== undefined
        ? [`the scan stopped at --limit ${scanLimit}: continue with --start-after ${scan.last}`]
        : []),
    ]);
    return failed > 0 ? 1 : 0;
  },
};
