/**
 * expandNotifications: a due notification becomes one delivery per device its user has now.
 * Deliveries have deterministic ids (notification + token id) and are created if absent, so a
 * replayed expansion (crash, overlapping run) writes nothing twice; they are due at once. The
 * notification ends `expanded` (with its delivery ids), or `undeliverable` (NO_DEVICES),
 * `expired`, or `failed` (ATTEMPTS_EXHAUSTED), or `suppressed` (OPTED_OUT:<category>: the user
 * turned its category off).
 *
 * The user's preferences (pushPreferences/{uid}) are read here, when the notification is due, not
 * when it was queued: each device's delivery gets the text in its language, and a device inside
 * the user's quiet hours gets its delivery due when they end (plus a random spread), or already
 * expired when they outlast `expiresAt`.
 */
import { DEFAULTS } from '../config/defaults';
import { decideExpansion } from '../core/notification';
import { describeQuiet } from '../core/preferences';
import type { PlannedPush } from '../core/push';
import { QUIET_HOURS_CODE } from '../core/send-decision';
import type {
  ClaimedNotification,
  NotificationEnd,
  NotificationStore,
  QueueRunDeps,
  StoredToken,
} from './ports';
import { count, outcomesIncrement } from '../core/stats';
import { claimByIds } from './claim-by-ids';
import { recordStats, type StatsDeps } from './stats';

export interface ExpandDeps extends StatsDeps, QueueRunDeps {
  notifications: NotificationStore;
}

export interface ExpandSettings {
  maxAttempts: number;
  /** QUIET_HOURS_SPREAD_MINUTES in ms (default: the param's default). */
  quietHoursSpreadMs?: number;
}

export const DEFAULT_QUIET_HOURS_SPREAD_MS = DEFAULTS.QUIET_HOURS_SPREAD_MINUTES * 60_000;

export interface ExpansionCounts {
  expanded: number;
  deliveriesCreated: number;
  undeliverable: number;
  expiredNotifications: number;
  exhaustedNotifications: number;
  /** Notifications whose category the user turned off (ended `suppressed`). */
  suppressedNotifications: number;
  /** Deliveries created due when the user's quiet hours end. */
  deferredDeliveries: number;
  /** Deliveries created expired: quiet hours outlast their expiry. */
  quietHoursExpired: number;
}

export const emptyExpansionCounts = (): ExpansionCounts => ({
  expanded: 0,
  deliveriesCreated: 0,
  undeliverable: 0,
  expiredNotifications: 0,
  exhaustedNotifications: 0,
  suppressedNotifications: 0,
  deferredDeliveries: 0,
  quietHoursExpired: 0,
});

export interface ExpansionReport extends ExpansionCounts {
  /** Deliveries of the notifications expanded here that are due now (not deferred, not ended). */
  deliveryIds: string[];
}

export async function expandClaimed(
  deps: ExpandDeps,
  claimed: readonly ClaimedNotification[],
  settings: ExpandSettings,
): Promise<ExpansionReport> {
  const report: ExpansionReport = { ...emptyExpansionCounts(), deliveryIds: [] };
  const nowMs = deps.now();
  const ends: Array<{ claimed: ClaimedNotification; end: NotificationEnd }> = [];
  const deliveries: PlannedPush[] = [];
  const devicesByUid = claimed.length
    ? await deps.tokens.listByUsers(claimed.map((c) => c.notification.uid))
    : new Map<string, StoredToken[]>();
  const preferences = claimed.length
    ? await deps.preferences.getMany(claimed.map((c) => c.notification.uid))
    : new Map();
  for (const c of claimed) {
    const n = c.notification;
    const devices = devicesByUid.get(n.uid) ?? [];
    const decision = decideExpansion(n, devices, {
      nowMs,
      maxAttempts: settings.maxAttempts,
      preferences: preferences.get(n.uid),
      random: deps.random,
      quietHoursSpreadMs: settings.quietHoursSpreadMs ?? DEFAULT_QUIET_HOURS_SPREAD_MS,
    });
    switch (decision.kind) {
      case 'expire':
        report.expiredNotifications++;
        ends.push({
          claimed: c,
          end: {
            status: 'expired',
            result: { code: 'EXPIRED', message: 'expiresAt passed before it was due.' },
          },
        });
        break;
      case 'exhausted':
        report.exhaustedNotifications++;
        ends.push({
          claimed: c,
          end: {
            status: 'failed',
            result: {
              code: 'ATTEMPTS_EXHAUSTED',
              message: `Claimed more than MAX_ATTEMPTS (${settings.maxAttempts}) times without finishing.`,
            },
          },
        });
        break;
      case 'no-devices':
        report.undeliverable++;
        ends.push({
          claimed: c,
          end: {
            status: 'undeliverable',
            result: {
              code: 'NO_DEVICES',
              message: `User ${n.uid} had no registered device when the notification was due.`,
            },
          },
        });
        break;
      case 'suppressed':
        report.suppressedNotifications++;
        ends.push({
          claimed: c,
          end: {
            status: 'suppressed',
            result: {
              code: decision.code,
              message: `User ${n.uid} turned category "${decision.category}" off; not sent.`,
            },
          },
        });
        break;
      case 'expand': {
        let live = 0;
        let deferred = 0;
        let expired = 0;
        // Deliveries carry the one text their device gets, not every language.
        const request = { ...n.request };
        delete request.localized;
        for (const d of decision.deliveries) {
          const dd = d.decision;
          const planned: PlannedPush = {
            id: d.id,
            target: { token: d.token },
            uid: n.uid,
            notificationId: n.id,
            request: { ...request, to: { token: d.token } },
            // reservedAt keeps its meaning (when it was meant to go); it has passed, so the
            // delivery is due at once, or when the user's quiet hours end.
            reservedAtMs: Math.min(n.reservedAtMs, nowMs),
            source: n.source,
          };
          if (dd.kind === 'expire') {
            expired++;
            planned.quietHours = { quiet: dd.quiet, ends: 'expired' };
          } else {
            // The device's language: its title and content become the delivery's own.
            planned.request.title = dd.text.title;
            planned.request.content = dd.text.content;
            if (dd.contentLocale !== undefined) planned.contentLocale = dd.contentLocale;
            if (dd.kind === 'defer') {
              deferred++;
              planned.quietHours = { quiet: dd.quiet, untilMs: dd.untilMs };
            } else {
              live++;
              report.deliveryIds.push(d.id);
            }
          }
          deliveries.push(planned);
        }
        report.deferredDeliveries += deferred;
        report.quietHoursExpired += expired;
        const deliveryIds = decision.deliveries.map((d) => d.id);
        if (live + deferred === 0) {
          // Every device was inside quiet hours that outlast the notification.
          const first = decision.deliveries[0].decision;
          report.expiredNotifications++;
          ends.push({
            claimed: c,
            end: {
              status: 'expired',
              result: {
                code: QUIET_HOURS_CODE,
                message: `Quiet hours${first.kind === 'expire' ? ` (${describeQuiet(first.quiet)})` : ''} last past expiresAt on every device; not sent.`,
              },
              deliveryIds,
            },
          });
          break;
        }
        report.expanded++;
        ends.push({
          claimed: c,
          end: {
            status: 'expanded',
            result: {
              deliveries: decision.deliveries.length,
              ...(deferred ? { deferred } : {}),
              ...(expired ? { quietHoursExpired: expired } : {}),
            },
            deliveryIds,
          },
        });
        break;
      }
    }
  }
  // Deliveries first: a notification recorded as expanded always has its deliveries written.
  report.deliveriesCreated = (await deps.pushes.createAll(deliveries, nowMs)).created;
  const { lostLease } = await deps.notifications.finish(ends, nowMs);
  // Statistics after the results: notifications that ended here (an expanded one's deliveries
  // count when they are sent), and deliveries created expired by quiet hours.
  const lost = new Set(lostLease);
  const finished = ends.filter((e) => !lost.has(e.claimed.notification.id));
  const increment = outcomesIncrement(
    finished.map((e) => ({ status: e.end.status, code: e.end.result.code })),
  );
  const createdExpired = finished.reduce((n, e) => n + (e.end.result.quietHoursExpired ?? 0), 0);
  count(increment, 'expired', createdExpired, QUIET_HOURS_CODE);
  await recordStats(deps, increment, deps.now());
  return report;
}

/** Immediate path (check trigger): claim the given notifications if still due, expand them. */
export async function expandNow(
  deps: ExpandDeps,
  ids: readonly string[],
  settings: ExpandSettings & { leaseMs: number; runId: string },
): Promise<ExpansionReport> {
  if (ids.length === 0) return { ...emptyExpansionCounts(), deliveryIds: [] };
  const claimed = await claimByIds(deps.notifications, ids, deps.now, settings);
  return expandClaimed(deps, claimed, settings);
}
