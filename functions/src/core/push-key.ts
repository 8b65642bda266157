/**
 * Replacement by key. A request with `key` replaces the pending push its target already has under
 * that key; a check may also cancel by key. Firestore triggers are at-least-once and unordered,
 * so each (target, key) has one small record (`pushKeys/{id}`) holding the event that last decided
 * it, and an event acts only if it is newer than that one: the newest event wins whatever the
 * delivery order, and a replay of the deciding event changes nothing.
 */
import { createHash } from 'node:crypto';
import type { RequestTarget } from './push-request';

/** The target a key belongs to: two users' "weekly-digest" keys never touch each other. */
export function keyScopeOf(to: RequestTarget): string {
  if ('uid' in to) return `uid:${to.uid}`;
  if ('token' in to) return `token:${to.token}`;
  if ('topic' in to) return `topic:${to.topic.replace(/^\/topics\//, '')}`;
  return `condition:${to.condition}`;
}

export function keyRecordIdOf(scope: string, key: string): string {
  return createHash('sha256').update(`${scope}\n${key}`).digest('hex').slice(0, 40);
}

/** The event that decided a key last: its time (Firestore's event time) and id. */
export interface KeyEvent {
  eventId: string;
  eventTimeMs: number;
}

export type KeyOrder = 'first' | 'replay' | 'newer' | 'stale';

/**
 * How an incoming event relates to the one recorded for its key. Equal times (two writes in the
 * same millisecond) are ordered by event id, so every instance decides the same way.
 */
export function orderKeyEvent(recorded: KeyEvent | undefined, incoming: KeyEvent): KeyOrder {
  if (!recorded) return 'first';
  if (recorded.eventId === incoming.eventId) return 'replay';
  if (incoming.eventTimeMs !== recorded.eventTimeMs)
    return incoming.eventTimeMs > recorded.eventTimeMs ? 'newer' : 'stale';
  return incoming.eventId > recorded.eventId ? 'newer' : 'stale';
}
