import type { CollectionReference } from 'firebase-admin/firestore';
import {
  countByStatus,
  countOf,
  dueBacklogOf,
  type DueSpec,
} from '../../../../functions/src/adapters/collection-counts';
import { NOTIFICATIONS } from '../../../../functions/src/adapters/notification-store';
import { PUSHES } from '../../../../functions/src/adapters/push-store';
import { QUERIES } from '../../../../functions/src/adapters/queries';
import { PUSH_TOKENS } from '../../../../functions/src/adapters/token-store';
import {
  NOTIFICATION_STATUSES,
  type NotificationStatus,
} from '../../../../functions/src/core/notification';
import { PUSH_STATUSES, type PushStatus } from '../../../../functions/src/core/push';
import type { SendErrorCode } from '../../../../functions/src/fcm';
import { UsageError } from '../errors';
import { formatAge } from '../push-view';
import type { Command } from './command';

const FAILED: readonly PushStatus[] = ['failed', 'rejected'];

/** Codes a push can end with that are not FCM's or the transport's. */
type PushOwnCode = 'ATTEMPTS_EXHAUSTED' | 'DEVICE_NOT_OWNED' | 'QUIET_HOURS';

/**
 * Every failure code a push can end with, and the statuses it is counted in. A Record, so a new
 * send error code cannot be forgotten. DEVICE_NOT_OWNED ends a delivery `cancelled` (its token
 * had left its user): not a send failure, but worth seeing beside them.
 */
const PUSH_FAILURE_CODES: Record<SendErrorCode | PushOwnCode, readonly PushStatus[]> = {
  UNSPECIFIED_ERROR: FAILED,
  INVALID_ARGUMENT: FAILED,
  UNREGISTERED: FAILED,
  SENDER_ID_MISMATCH: FAILED,
  QUOTA_EXCEEDED: FAILED,
  UNAVAILABLE: FAILED,
  INTERNAL: FAILED,
  THIRD_PARTY_AUTH_ERROR: FAILED,
  NETWORK_ERROR: FAILED,
  TIMEOUT: FAILED,
  AUTH_ERROR: FAILED,
  NOT_SENT: FAILED,
  ATTEMPTS_EXHAUSTED: ['failed'],
  DEVICE_NOT_OWNED: ['cancelled'],
  // Expired while waiting for the user's quiet hours to end (they outlasted expiresAt).
  QUIET_HOURS: ['expired'],
};

/**
 * A notification's failure code follows from its status (the expansion writes exactly one code
 * per final status), so these are counted by status, with no index of their own.
 */
const NOTIFICATION_FAILURE_CODES: Record<
  'NO_DEVICES' | 'ATTEMPTS_EXHAUSTED' | 'OPTED_OUT',
  NotificationStatus
> = {
  NO_DEVICES: 'undeliverable',
  ATTEMPTS_EXHAUSTED: 'failed',
  // OPTED_OUT:<category>: the user turned the notification's category off.
  OPTED_OUT: 'suppressed',
};

/** What users' preferences did: suppressed by an opt-out, and deliveries waiting for quiet hours. */
interface PreferenceEffects {
  suppressedNotifications: number;
  suppressedPushes: number;
  waitingForQuietHours: number;
}

async function preferenceEffects(
  notifications: Section,
  pushes: Section,
  col: CollectionReference,
): Promise<PreferenceEffects> {
  const byCode = QUERIES.failuresByCode;
  return {
    suppressedNotifications: notifications.byStatus.suppressed ?? 0,
    suppressedPushes: pushes.byStatus.suppressed ?? 0,
    // Pending with result QUIET_HOURS: created (or sent back) to wait for the window's end.
    waitingForQuietHours: await countOf(
      col.where(byCode.equality[0], '==', 'pending').where(byCode.equality[1], '==', 'QUIET_HOURS'),
    ),
  };
}

interface Oldest {
  id: string;
  status: string;
  dueAt: string;
  ageSeconds: number;
}

interface Section {
  total: number;
  byStatus: Record<string, number>;
  due: { count: number; oldest: Oldest | null };
  failureCodes: Record<string, number>;
}

/** Most frequent first, zeros left out: the code worth looking at leads. */
function sortedCodes(entries: ReadonlyArray<readonly [string, number]>): Record<string, number> {
  return Object.fromEntries(
    entries.filter(([, n]) => n > 0).sort(([a, x], [b, y]) => y - x || a.localeCompare(b)),
  );
}

/** The due backlog of a collection: how many are due and the one waiting longest. */
async function dueBacklog(
  col: CollectionReference,
  spec: DueSpec,
  nowMs: number,
): Promise<Section['due']> {
  const { due, oldest, oldestDueAtMs } = await dueBacklogOf(col, spec, nowMs);
  return {
    count: due,
    oldest:
      oldest && oldestDueAtMs !== null
        ? {
            id: oldest.id,
            status: String(oldest.get('status')),
            dueAt: new Date(oldestDueAtMs).toISOString(),
            ageSeconds: Math.floor((nowMs - oldestDueAtMs) / 1000),
          }
        : null,
  };
}

async function pushSection(col: CollectionReference, nowMs: number): Promise<Section> {
  const byCode = QUERIES.failuresByCode;
  const codes = Object.entries(PUSH_FAILURE_CODES);
  const [statusCounts, due, codeCounts] = await Promise.all([
    countByStatus<string>(col, QUERIES.pushesByStatus, PUSH_STATUSES),
    dueBacklog(col, QUERIES.duePushes, nowMs),
    Promise.all(
      codes.map(([code, statuses]) =>
        countOf(
          col.where(byCode.equality[0], 'in', statuses).where(byCode.equality[1], '==', code),
        ),
      ),
    ),
  ]);
  const failureCodes = sortedCodes(codes.map(([code], i) => [code, codeCounts[i]!] as const));
  // Failed or rejected pushes whose code is outside the table (written by an older or newer
  // version) still show up, as "other".
  const known = codes.reduce(
    (n, [, statuses], i) => (statuses.every((s) => FAILED.includes(s)) ? n + codeCounts[i]! : n),
    0,
  );
  const other = FAILED.reduce((n, s) => n + statusCounts[s]!, 0) - known;
  if (other > 0) failureCodes.other = other;
  return {
    total: Object.values(statusCounts).reduce((a, b) => a + b, 0),
    byStatus: statusCounts,
    due,
    failureCodes,
  };
}

async function notificationSection(col: CollectionReference, nowMs: number): Promise<Section> {
  const [statusCounts, due] = await Promise.all([
    countByStatus<string>(col, QUERIES.notificationsByStatus, NOTIFICATION_STATUSES),
    dueBacklog(col, QUERIES.dueNotifications, nowMs),
  ]);
  return {
    total: Object.values(statusCounts).reduce((a, b) => a + b, 0),
    byStatus: statusCounts,
    due,
    failureCodes: sortedCodes(
      Object.entries(NOTIFICATION_FAILURE_CODES).map(
        ([code, status]) => [code, statusCounts[status]!] as const,
      ),
    ),
  };
}

function sectionLines(name: string, verb: string, s: Section, statuses: readonly string[]) {
  const o = s.due.oldest;
  return [
    `${name}: ${s.total} (${statuses.map((st) => `${st} ${s.byStatus[st]}`).join(', ')})`,
    o
      ? `  due to ${verb}: ${s.due.count}, oldest waiting ${formatAge(o.ageSeconds * 1000)} ` +
        `(${o.id}, ${o.status}, due ${o.dueAt})`
      : `  due to ${verb}: 0`,
    `  failure codes: ${
      Object.entries(s.failureCodes)
        .map(([c, n]) => `${c} ${n}`)
        .join(', ') || 'none'
    }`,
  ];
}

export const stats: Command = {
  name: 'stats',
  summary: 'notifications and pushes by status, due backlog, failure codes, tokens',
  help: `Usage: fcm-push stats

Counts with Firestore count() aggregations (no documents are read, whatever the size), in two
sections that are never added together: a notification (one request for a user) becomes one
push per device when it is due, so each is counted once, in its own collection.

  notifications   per status; how many are due to be expanded into device deliveries and the
                  oldest of them; failure codes (NO_DEVICES = undeliverable, ATTEMPTS_EXHAUSTED
                  = failed)
  pushes          device deliveries and token, topic and condition pushes, per status; how many
                  are due to be sent and the oldest of them (how far the drain is behind);
                  failed and rejected pushes per result code, DEVICE_NOT_OWNED (a delivery
                  cancelled because its token had left its user) and QUIET_HOURS (expired while
                  waiting for its user's quiet hours to end)
  preferences     what users' choices did: notifications and token pushes suppressed because
                  the user turned their category off (OPTED_OUT:<category>), and pushes waiting
                  for a user's quiet hours to end
  tokens          registered device tokens`,
  options: {},
  allowPositionals: false,
  async run(args, ctx, out) {
    if (args.positionals.length > 0) throw new UsageError('stats takes no arguments.');
    const db = await ctx.firestore();
    const nowMs = ctx.now();
    out.progress(`counting in ${ctx.target.projectId}`);
    const [notifications, pushes, tokens] = await Promise.all([
      notificationSection(db.collection(NOTIFICATIONS), nowMs),
      pushSection(db.collection(PUSHES), nowMs),
      countOf(db.collection(PUSH_TOKENS)),
    ]);
    const preferences = await preferenceEffects(notifications, pushes, db.collection(PUSHES));
    const value = {
      project: ctx.target.projectId,
      at: new Date(nowMs).toISOString(),
      notifications,
      pushes,
      preferences,
      tokens,
    };
    out.result(value, () => [
      `project ${value.project} at ${value.at}`,
      ...sectionLines('notifications', 'expand', notifications, NOTIFICATION_STATUSES),
      ...sectionLines('pushes', 'send', pushes, PUSH_STATUSES),
      `preferences: suppressed (category off) ${preferences.suppressedNotifications} notifications, ` +
        `${preferences.suppressedPushes} token pushes; ` +
        `waiting for quiet hours ${preferences.waitingForQuietHours} pushes`,
      `tokens: ${tokens}`,
    ]);
    return 0;
  },
};
