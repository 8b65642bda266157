/**
 * Example check: an appointment { uid, startsAt, title?, status? } gets a reminder one hour
 * before it starts. Rescheduling replaces the reminder (same key), cancelling (status
 * "cancelled") or deleting the appointment cancels it. The reminder never goes out after the start.
 */
import { defineCheck, type DocData } from '../core/define-check';

export const REMINDER_LEAD_MS = 60 * 60 * 1000;

const startOf = (doc: DocData | undefined) =>
  doc?.startsAt instanceof Date ? doc.startsAt.getTime() : undefined;
const isLive = (doc: DocData | undefined) =>
  !!doc && doc.status !== 'cancelled' && typeof doc.uid === 'string' && startOf(doc) !== undefined;

export const appointmentReminder = defineCheck({
  name: 'appointmentReminder',
  document: 'appointments/{appointmentId}',
  run(before, after, { appointmentId }) {
    const key = `appointment-reminder:${appointmentId}`;
    // Keys belong to a user: cancelling names whose reminder it is.
    const cancelBefore = isLive(before) ? [{ key, to: { uid: before!.uid as string } }] : [];
    if (!isLive(after)) return cancelBefore.length ? { cancel: cancelBefore } : [];
    const startsAt = startOf(after)!;
    const unchanged = isLive(before) && startOf(before) === startsAt && before!.uid === after!.uid;
    if (unchanged) return [];
    const title = typeof after!.title === 'string' ? after!.title : 'Your appointment';
    return {
      send: [
        {
          to: { uid: after!.uid as string },
          title: 'Starting in one hour',
          content: `${title} starts at ${new Date(startsAt).toISOString().slice(11, 16)} UTC.`,
          data: { type: 'appointment_reminder', appointmentId },
          reservedAt: new Date(startsAt - REMINDER_LEAD_MS),
          expiresAt: new Date(startsAt),
          key,
        },
      ],
      // Moved to another user: the previous user's reminder goes (same user: replaced by key).
      cancel: cancelBefore.filter((c) => c.to.uid !== after!.uid),
    };
  },
});
