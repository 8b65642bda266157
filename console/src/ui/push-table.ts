/** A table of pushes or notifications, one row each, linking to the push's page. */
import type { QueryDocumentSnapshot } from 'firebase/firestore';
import { describeTarget, formatTime } from '../data/format';
import type { Collection } from '../data/statuses';
import { pushHash, userHash } from '../route';
import { badge, h } from './dom';

export function pushTable(coll: Collection, docs: QueryDocumentSnapshot[]): HTMLElement {
  if (!docs.length) return h('p', { class: 'muted' }, `No ${coll} here.`);
  return h(
    'table',
    { class: 'list', 'data-collection': coll },
    h(
      'thead',
      {},
      h(
        'tr',
        {},
        ['Created', 'Status', 'Target', 'Title', 'Result', 'Id'].map((t) => h('th', {}, t)),
      ),
    ),
    h(
      'tbody',
      {},
      docs.map((d) => {
        const data = d.data();
        const result = (data.result ?? {}) as Record<string, unknown>;
        // A notification is always for a user: link to their page.
        const target: Node | string =
          coll === 'notifications' && typeof data.uid === 'string'
            ? h('a', { href: userHash(data.uid) }, `user ${data.uid}`)
            : describeTarget(data.target, data.uid);
        return h(
          'tr',
          { 'data-id': d.id },
          h('td', {}, formatTime(data.createdAt)),
          h('td', {}, badge(data.status)),
          h('td', {}, target),
          h('td', { class: 'title' }, typeof data.title === 'string' ? data.title : '—'),
          h('td', {}, typeof result.code === 'string' ? h('code', {}, result.code) : ''),
          h('td', {}, h('a', { href: pushHash(d.id), class: 'mono' }, d.id.slice(0, 12))),
        );
      }),
    ),
  );
}
