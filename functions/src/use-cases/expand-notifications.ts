/**
 * expandNotifications: a due notification becomes one delivery per device its user has now.
 * Deliveries have deterministic ids (notification + token id) and are created if absent, so a
 * replayed expansion (crash, overlapping run) writes nothing twice; they are due at once. The
 * notification ends `expanded` (with its delivery ids), or `undeliverable` (NO_DEVICES),
 * `expired`, or `failed` (ATTEMPTS_EXHAUSTED).
 */
import { decideExpansion } from '../core/notification';
import type { PlannedPush } from '../core/push';
import type {
  ClaimedNotification,
  NotificationEnd,
  NotificationStore,
  PushStore,
  TokenStore,
} from './ports';

export interface ExpandDeps {
  notifications: NotificationStore;
  pushes: PushStore;
  tokens: TokenStore;
  now: () => number;
}

export interface ExpansionCounts {
  expanded: number;
  deliveriesCreated: number;
  undeliverable: number;
  expiredNotifications: number;
  exhaustedNotifications: number;
}

export const emptyExpansionCounts = (): ExpansionCounts => ({
  expanded: 0,
  deliveriesCreated: 0,
  undeliverable: 0,
  expiredNotifications: 0,
  exhaustedNotifications: 0,
});

export interface ExpansionReport extends ExpansionCounts {
  /** Deliveries of the notifications expanded here, all due now. */
  deliveryIds: string[];
}

export async function expandClaimed(
  deps: ExpandDeps,
  claimed: readonly ClaimedNotification[],
  settings: { maxAttempts: number },
): Promise<ExpansionReport> {
  const report: ExpansionReport = { ...emptyExpansionCounts(), deliveryIds: [] };
  const nowMs = deps.now();
  const ends: Array<{ claimed: ClaimedNotification; end: NotificationEnd }> = [];
  const deliveries: PlannedPush[] = [];
  const devicesByUid = new Map<string, ReturnType<TokenStore['listByUser']>>();
  for (const c of claimed) {
    const uid = c.notification.uid;
    if (!devicesByUid.has(uid)) devicesByUid.set(uid, deps.tokens.listByUser(uid));
  }
  for (const c of claimed) {
    const n = c.notification;
    const devices = await devicesByUid.get(n.uid)!;
    const decision = decideExpansion(n, devices, { nowMs, maxAttempts: settings.maxAttempts });
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
      case 'expand':
        report.expanded++;
        for (const d of decision.deliveries) {
          deliveries.push({
            id: d.id,
            target: { token: d.token },
            uid: n.uid,
            notificationId: n.id,
            request: { ...n.request, to: { token: d.token } },
            // reservedAt keeps its meaning (when it was meant to go); it has passed, so the
            // delivery is due at once.
            reservedAtMs: Math.min(n.reservedAtMs, nowMs),
            source: n.source,
          });
          report.deliveryIds.push(d.id);
        }
        ends.push({
          claimed: c,
          end: {
            status: 'expanded',
            result: { deliveries: decision.deliveries.length },
            deliveryIds: decision.deliveries.map((d) => d.id),
          },
        });
        break;
    }
  }
  // Deliveries first: a notification recorded as expanded always has its deliveries written.
  report.deliveriesCreated = (await deps.pushes.createAll(deliveries, nowMs)).created;
  await deps.notifications.finish(ends, nowMs);
  return report;
}

/** Immediate path (check trigger): claim the given notifications if still due, expand them. */
export async function expandNow(
  deps: ExpandDeps,
  ids: readonly string[],
  settings: { maxAttempts: number; leaseMs: number; runId: string },
): Promise<ExpansionReport> {
  if (ids.length === 0) return { ...emptyExpansionCounts(), deliveryIds: [] };
  const snaps = await deps.notifications.getAll(ids);
  const claimed = await deps.notifications.claim(snaps, {
    nowMs: deps.now(),
    leaseMs: settings.leaseMs,
    runId: settings.runId,
  });
  return expandClaimed(deps, claimed, settings);
}
