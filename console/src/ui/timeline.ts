/** A push's history as a timeline: when, what, the result code, and who (operator actions). */
import { formatTime } from '../data/format';
import { h } from './dom';

/** The history array, oldest first, with the operator's uid on operator actions. */
export function timeline(history: unknown): HTMLElement {
  const events = Array.isArray(history) ? (history as Array<Record<string, unknown>>) : [];
  if (!events.length) return h('p', { class: 'muted' }, 'No history.');
  return h(
    'ol',
    { class: 'timeline' },
    events.map((e) => {
      const extra = Object.entries(e)
        .filter(([k]) => !['at', 'event', 'code', 'by'].includes(k))
        .map(
          ([k, v]) =>
            `${k}: ${typeof v === 'object' && v && 'toMillis' in v ? formatTime(v) : JSON.stringify(v)}`,
        );
      return h(
        'li',
        { 'data-event': String(e.event ?? '') },
        h('time', {}, formatTime(e.at)),
        ' ',
        h('strong', {}, String(e.event ?? '?')),
        typeof e.code === 'string' && [' ', h('code', {}, e.code)],
        typeof e.by === 'string' && [' by operator ', h('span', { class: 'mono by' }, e.by)],
        extra.length ? h('span', { class: 'muted' }, ` (${extra.join(', ')})`) : null,
      );
    }),
  );
}
