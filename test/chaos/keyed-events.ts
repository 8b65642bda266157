/**
 * The "event redelivered out of order" fault: Firestore triggers are at-least-once and unordered.
 * Each keyed item is an appointment of one user with a reminder keyed per appointment: E1 books
 * it (reminder at t1), E2 moves it (reminder at t2, a newer event), and for some items E3 deletes
 * it (a cancel by key, the newest event). The events reach queuePushes / cancelByKeys in a seeded
 * order with seeded replays (E1,E2,E1 / E2,E1 / E1,E3,E2,E3 ...); replays and older events keep
 * arriving while the drains run, some after the reminders were sent.
 *
 * Whatever the order, per key exactly the newest event's outcome must hold: for an item whose
 * newest event is E2, exactly one of its notifications ends in a final state other than
 * cancelled and it is E2's (reserved at t2); for a deleted item none does; FCM never accepts a
 * reminder of an event that is not the newest; and a replayed or older event creates and cancels
 * nothing when it arrives.
 */
import type { Firestore } from 'firebase-admin/firestore';
import { NOTIFICATIONS } from '../../functions/src/adapters/notification-store';
import { PUSH_KEYS } from '../../functions/src/adapters/key-store';
import { pushIdOf } from '../../functions/src/core/push';
import { keyRecordIdOf, keyScopeOf } from '../../functions/src/core/push-key';
import type { PushRequest } from '../../functions/src/core/push-request';
import {
  cancelByKeys,
  queuePushes,
  type QueueDeps,
} from '../../functions/src/use-cases/queue-pushes';
import { prng } from './shared';

export type KeyEventName = 'e1' | 'e2' | 'e3';

export interface KeyedItem {
  n: number;
  uid: string;
  key: string;
  /** The newest event: e2 (the reminder moved to t2) or e3 (the appointment deleted). */
  final: 'e2' | 'e3';
  eventTimeMs: Record<KeyEventName, number>;
  eventId: Record<KeyEventName, string>;
  /** When each event's reminder is reserved (virtual epoch ms). */
  reservedAtMs: { e1: number; e2: number };
  /**
   * Every delivery of an event, in order. Up to the newest event's first delivery they all happen
   * before the drains start (and before any reminder is due); `late` ones happen during the
   * drain phase at `atFraction` of its replay window, in this order.
   */
  deliveries: Array<{ event: KeyEventName; late: boolean; atFraction: number }>;
}

/** Data keys on each reminder, so FCM's accepted messages tell which event they came from. */
export const ITEM_DATA_KEY = 'chaos_item';
export const EVENT_DATA_KEY = 'chaos_event';

const ORDER: Record<KeyEventName, number> = { e1: 1, e2: 2, e3: 3 };

export function planKeyedItems(
  seed: number,
  count: number,
  users: readonly string[],
  options: { eventTimeMs: number; firstDueMs: number; spreadMs: number },
): KeyedItem[] {
  const rand = prng(seed ^ 0x4b3e7);
  return Array.from({ length: count }, (_, n) => {
    const uid = users[Math.floor(rand() * users.length)]!;
    const final = rand() < 0.35 ? 'e3' : 'e2';
    const t1 = options.firstDueMs + Math.round(rand() * options.spreadMs);
    // The move may bring the reminder forward or push it back.
    const t2 = Math.max(options.firstDueMs, t1 + Math.round((rand() - 0.4) * options.spreadMs));
    const events: KeyEventName[] = final === 'e3' ? ['e1', 'e2', 'e3'] : ['e1', 'e2'];
    const sequence: KeyEventName[] = [...events];
    for (const e of events) if (rand() < 0.4) sequence.push(e);
    for (let i = sequence.length - 1; i > 0; i--) {
      const j = Math.floor(rand() * (i + 1));
      [sequence[i], sequence[j]] = [sequence[j]!, sequence[i]!];
    }
    const firstFinal = sequence.indexOf(final);
    // Never a perfectly ordered item: then the newest event is replayed at once.
    if (!sequence.slice(0, firstFinal + 1).some((e, i, s) => outOfOrder(s.slice(0, i), e))) {
      sequence.splice(firstFinal + 1, 0, events[Math.floor(rand() * events.length)]!);
    }
    const deliveries = sequence.map((event, i) => ({
      event,
      late: i > firstFinal && rand() < 0.6,
      atFraction: rand(),
    }));
    // Late ones keep their order: their moments are sorted along the sequence.
    const lateMoments = deliveries
      .filter((d) => d.late)
      .map((d) => d.atFraction)
      .sort((a, b) => a - b);
    for (const d of deliveries) if (d.late) d.atFraction = lateMoments.shift()!;
    const name = (e: KeyEventName) => `chaos-${seed}-item-${n}-${e}`;
    return {
      n,
      uid,
      key: `appointment-reminder:chaos-${n}`,
      final,
      eventTimeMs: {
        e1: options.eventTimeMs - 30_000,
        e2: options.eventTimeMs - 20_000,
        e3: options.eventTimeMs - 10_000,
      },
      eventId: { e1: name('e1'), e2: name('e2'), e3: name('e3') },
      reservedAtMs: { e1: t1, e2: t2 },
      deliveries,
    };
  });
}

/** A redelivery, or an event older than one already delivered for the same key. */
function outOfOrder(delivered: readonly KeyEventName[], event: KeyEventName): boolean {
  return delivered.some((d) => ORDER[d] >= ORDER[event]);
}

export const notificationIdOf = (item: KeyedItem, event: 'e1' | 'e2'): string =>
  pushIdOf(item.eventId[event], 0, { uid: item.uid });

function requestOf(item: KeyedItem, event: 'e1' | 'e2'): PushRequest {
  return {
    to: { uid: item.uid },
    title: `Appointment ${item.n}`,
    content: `Reminder (${event})`,
    data: { [ITEM_DATA_KEY]: String(item.n), [EVENT_DATA_KEY]: event },
    key: item.key,
    reservedAtMs: item.reservedAtMs[event],
  };
}

/** Deliveries so far per item, to tell which ones arrive out of order. */
export type DeliveredEvents = Map<number, KeyEventName[]>;

/**
 * Hands one event to the queue, as the check trigger would (cancelByKeys for the delete).
 * Answers whether it arrived out of order, and a violation if such an event created or
 * cancelled anything.
 */
export async function deliverKeyEvent(
  deps: QueueDeps,
  item: KeyedItem,
  event: KeyEventName,
  nowMs: number,
  delivered: DeliveredEvents,
): Promise<{ outOfOrder: boolean; violation?: string }> {
  const before = delivered.get(item.n) ?? [];
  const late = outOfOrder(before, event);
  delivered.set(item.n, [...before, event]);
  const context = { eventId: item.eventId[event], eventTimeMs: item.eventTimeMs[event], nowMs };
  let created = 0;
  let cancelled: string[];
  if (event === 'e3') {
    cancelled = await cancelByKeys(deps, [{ key: item.key, to: { uid: item.uid } }], context);
  } else {
    const r = await queuePushes(deps, [{ index: 0, request: requestOf(item, event) }], {
      ...context,
      path: `appointments/chaos-${item.n}`,
      check: 'chaos-keyed',
    });
    created = r.created;
    cancelled = r.cancelledIds;
  }
  if (late && (created > 0 || cancelled.length > 0)) {
    return {
      outOfOrder: true,
      violation:
        `key item ${item.n}: ${event} arrived after [${before.join(',')}] and still ` +
        `created ${created} and cancelled ${cancelled.length}`,
    };
  }
  return { outOfOrder: late };
}

const NON_CANCELLED_FINAL = new Set(['expanded', 'undeliverable', 'expired', 'failed']);

/**
 * The newest event's outcome per key. `acceptedEvents` maps item number to the events whose
 * reminders FCM accepted (from the data keys of accepted messages).
 */
export async function checkKeyedItems(
  db: Firestore,
  items: readonly KeyedItem[],
  acceptedEvents: ReadonlyMap<number, ReadonlySet<string>>,
): Promise<string[]> {
  const violations: string[] = [];
  for (const item of items) {
    const [n1, n2, record] = await db.getAll(
      db.collection(NOTIFICATIONS).doc(notificationIdOf(item, 'e1')),
      db.collection(NOTIFICATIONS).doc(notificationIdOf(item, 'e2')),
      db.collection(PUSH_KEYS).doc(keyRecordIdOf(keyScopeOf({ uid: item.uid }), item.key)),
    );
    const kept = [
      { event: 'e1', snap: n1! },
      { event: 'e2', snap: n2! },
    ].filter(({ snap }) => snap.exists && snap.get('status') !== 'cancelled');
    const what = `key item ${item.n} (newest ${item.final}, delivered ${item.deliveries.map((d) => d.event).join(',')})`;
    const states = kept.map(({ event, snap }) => `${event} ${String(snap.get('status'))}`);
    const accepted = [...(acceptedEvents.get(item.n) ?? [])].sort();
    if (item.final === 'e2') {
      const only = kept.length === 1 && kept[0]!.event === 'e2' ? kept[0]!.snap : undefined;
      if (!only) {
        violations.push(`${what}: not exactly E2's reminder kept: [${states.join(', ')}]`);
      } else if (!NON_CANCELLED_FINAL.has(String(only.get('status')))) {
        violations.push(`${what}: E2's reminder ended ${String(only.get('status'))}`);
      } else if (only.get('reservedAt')?.toMillis() !== item.reservedAtMs.e2) {
        violations.push(`${what}: the kept reminder is not reserved at t2`);
      }
      if (accepted.some((e) => e !== 'e2')) {
        violations.push(`${what}: FCM accepted reminders of [${accepted.join(',')}]`);
      }
    } else {
      if (kept.length > 0) violations.push(`${what}: deleted, yet kept [${states.join(', ')}]`);
      if (accepted.length > 0) {
        violations.push(`${what}: deleted, yet FCM accepted reminders of [${accepted.join(',')}]`);
      }
    }
    if (record?.get('eventId') !== item.eventId[item.final]) {
      violations.push(`${what}: the key record names ${String(record?.get('eventId'))}`);
    }
  }
  return violations;
}
