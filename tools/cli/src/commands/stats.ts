import { Timestamp } from 'firebase-admin/firestore';
import { PUSHES } from '../../../../functions/src/adapters/push-store';
import { QUERIES } from '../../../../functions/src/adapters/queries';
import { PUSH_TOKENS } from '../../../../functions/src/adapters/token-store';
import { PUSH_STATUSES } from '../../../../functions/src/core/push';
import type { SendErrorCode } from '../../../../functions/src/fcm';
import { UsageError } from '../errors';
import { formatAge } from '../push-view';
import type { Command } from './command';

/** Every code a failed or rejected push can carry; a Record so a new code cannot be forgotten. */
const FAILURE_CODES: Record<SendErrorCode, true> = {
  UNSPECIFIED_ERROR: true,
  INVALID_ARGUMENT: true,
  UNREGISTERED: true,
  SENDER_ID_MISMATCH: true,
  QUOTA_EXCEEDED: true,
  UNAVAILABLE: true,
  INTERNAL: true,
  THIRD_PARTY_AUTH_ERROR: true,
  NETWORK_ERROR: true,
  TIMEOUT: true,
  AUTH_ERROR: true,
};
const FAILED_STATUSES = ['failed', 'rejected'];

export const stats: Command = {
  name: 'stats',
  summary: 'counts by status, oldest due push, failure codes, tokens',
  help: `Usage: fcm-push stats

Counts with Firestore count() aggregations (no documents are read, whatever the size):
pushes per status, pushes due now and the oldest of them (how far the drain is behind),
failed and rejected pushes per result code, and registered tokens.`,
  options: {},
  allowPositionals: false,
  async run(args, ctx, out) {
    if (args.positionals.length > 0) throw new UsageError('stats takes no arguments.');
    const db = await ctx.firestore();
    const pushes = db.collection(PUSHES);
    const nowMs = ctx.now();
    const count = async (q: FirebaseFirestore.Query) => (await q.count().get()).data().count;
    out.progress(`counting in ${ctx.target.projectId}`);

    const status = QUERIES.pushesByStatus.equality[0];
    const due = QUERIES.duePushes;
    const dueQuery = pushes
      .where(due.equality[0], '==', false)
      .where(due.order.field, '<=', Timestamp.fromMillis(nowMs));
    const byCode = QUERIES.failuresByCode;
    const codes = Object.keys(FAILURE_CODES);
    const [statusCounts, dueCount, oldest, codeCounts, tokens] = await Promise.all([
      Promise.all(PUSH_STATUSES.map((s) => count(pushes.where(status, '==', s)))),
      count(dueQuery),
      dueQuery.orderBy(due.order.field, due.order.direction).limit(1).get(),
      Promise.all(
        codes.map((c) =>
          count(
            pushes
              .where(byCode.equality[0], 'in', FAILED_STATUSES)
              .where(byCode.equality[1], '==', c),
          ),
        ),
      ),
      count(db.collection(PUSH_TOKENS)),
    ]);

    const byStatus = Object.fromEntries(PUSH_STATUSES.map((s, i) => [s, statusCounts[i]!]));
    // Most frequent first: the code worth looking at leads.
    const failureCodes: Record<string, number> = Object.fromEntries(
      codes
        .map((c, i) => [c, codeCounts[i]!] as const)
        .filter(([, n]) => n > 0)
        .sort(([a, x], [b, y]) => y - x || a.localeCompare(b)),
    );
    // Codes outside the table (written by an older or newer version) still show up as a total.
    const failedTotal = FAILED_STATUSES.reduce((n, s) => n + (byStatus[s] ?? 0), 0);
    const other = failedTotal - codeCounts.reduce((a, b) => a + b, 0);
    if (other > 0) failureCodes.other = other;
    const first = oldest.docs[0];
    const dueAtMs = (first?.get(due.order.field) as Timestamp | undefined)?.toMillis();
    const oldestDue =
      first && dueAtMs !== undefined
        ? {
            id: first.id,
            status: String(first.get('status')),
            dueAt: new Date(dueAtMs).toISOString(),
            ageSeconds: Math.floor((nowMs - dueAtMs) / 1000),
          }
        : null;
    const total = statusCounts.reduce((a, b) => a + b, 0);
    const value = {
      project: ctx.target.projectId,
      at: new Date(nowMs).toISOString(),
      pushes: { total, byStatus },
      due: { count: dueCount, oldest: oldestDue },
      failureCodes,
      tokens,
    };
    out.result(value, () => [
      `project ${value.project} at ${value.at}`,
      `pushes: ${total} (${PUSH_STATUSES.map((s) => `${s} ${byStatus[s]}`).join(', ')})`,
      oldestDue
        ? `due now: ${dueCount}, oldest waiting ${formatAge(oldestDue.ageSeconds * 1000)} ` +
          `(${oldestDue.id}, ${oldestDue.status}, due ${oldestDue.dueAt})`
        : 'due now: 0',
      `failure codes: ${
        Object.entries(failureCodes)
          .map(([c, n]) => `${c} ${n}`)
          .join(', ') || 'none'
      }`,
      `tokens: ${tokens}`,
    ]);
    return 0;
  },
};
