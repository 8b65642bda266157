/**
 * Pushes: either collection, newest first, filtered by status and/or uid (each combination is a
 * declared query with its index), 25 a page, live. "Older" pages start after the last document
 * shown; the cursors of earlier pages are kept to go back.
 */
import type { QueryDocumentSnapshot, Unsubscribe } from 'firebase/firestore';
import { PAGE_SIZE } from '../data/list-query';
import { listenList } from '../data/list-listener';
import { STATUSES_OF, type Collection } from '../data/statuses';
import type { Services } from '../firebase/services';
import { pushesHash } from '../route';
import { errorText, fill, h, notice, type Page } from '../ui/dom';
import { pushTable } from '../ui/push-table';

export function pushesPage(
  { db }: Services,
  filter: { collection: Collection; status: string; uid: string },
): Page {
  const coll = h(
    'select',
    { name: 'collection' },
    (['pushes', 'notifications'] as const).map((c) =>
      h('option', { value: c, selected: c === filter.collection }, c),
    ),
  );
  const status = h(
    'select',
    { name: 'status' },
    h('option', { value: '' }, 'any status'),
    STATUSES_OF[filter.collection].map((s) =>
      h('option', { value: s, selected: s === filter.status }, s),
    ),
  );
  const uid = h('input', { name: 'uid', placeholder: 'uid', value: filter.uid });
  const form = h(
    'form',
    {
      class: 'filters',
      onsubmit: (e) => {
        e.preventDefault();
        location.hash = pushesHash({
          collection: coll.value as Collection,
          status: status.value,
          uid: uid.value.trim(),
        });
      },
    },
    coll,
    status,
    uid,
    h('button', { type: 'submit' }, 'Show'),
  );
  // A status of one collection means nothing in the other: changing collection clears it.
  coll.addEventListener('change', () => {
    location.hash = pushesHash({ collection: coll.value as Collection, uid: uid.value.trim() });
  });

  const body = h('div', {}, h('p', { class: 'loading' }, 'Loading…'));
  const pager = h('div', { class: 'pager' });
  const cursors: Array<QueryDocumentSnapshot | undefined> = [undefined];
  let docs: QueryDocumentSnapshot[] = [];
  let stop: Unsubscribe = () => undefined;

  const listen = () => {
    stop();
    const after = cursors[cursors.length - 1];
    stop = listenList(
      db,
      filter,
      { size: PAGE_SIZE, ...(after ? { after } : {}) },
      (next) => {
        docs = next;
        fill(body, pushTable(filter.collection, docs));
        renderPager();
      },
      (err) => fill(body, notice('error', `Cannot list ${filter.collection}: ${errorText(err)}`)),
    );
  };
  const renderPager = () =>
    fill(
      pager,
      h(
        'button',
        {
          type: 'button',
          disabled: cursors.length === 1,
          onclick: () => {
            cursors.pop();
            listen();
          },
        },
        '← Newer',
      ),
      h('span', {}, ` page ${cursors.length} `),
      h(
        'button',
        {
          type: 'button',
          disabled: docs.length < PAGE_SIZE,
          onclick: () => {
            cursors.push(docs[docs.length - 1]);
            listen();
          },
        },
        'Older →',
      ),
    );
  listen();

  const el = h('section', { id: 'pushes' }, h('h1', {}, 'Pushes'), form, body, pager);
  return { el, dispose: () => stop() };
}
