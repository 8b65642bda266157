/**
 * One push (or notification): content, target, status and result, its deliveries (for a
 * notification), the history as a timeline with the operator who acted, and Retry / Cancel
 * through the operator callables. Live: an action's effect shows as the drain writes it.
 */
import { doc, getDoc, onSnapshot, type DocumentData, type Unsubscribe } from 'firebase/firestore';
import { describeTarget, formatTime, shortToken } from '../data/format';
import { CANCELLABLE, RETRYABLE, type Collection } from '../data/statuses';
import { operatorCancel, operatorRetry } from '../firebase/callables';
import type { Services } from '../firebase/services';
import { pushHash, userHash } from '../route';
import { actionButton } from '../ui/action-button';
import { badge, errorText, fill, h, notice, type Page } from '../ui/dom';
import { timeline } from '../ui/timeline';

export function pushPage(services: Services, id: string): Page {
  const { db } = services;
  const body = h('div', {}, h('p', { class: 'loading' }, 'Loading…'));
  const el = h(
    'section',
    { id: 'push' },
    h('h1', {}, 'Push ', h('span', { class: 'mono' }, id)),
    body,
  );
  const stops: Unsubscribe[] = [];
  const actionMessage = h('div', { class: 'action-message' });
  let disposed = false;

  // Which collection holds the id: pushes first, then notifications.
  void (async () => {
    let coll: Collection | undefined;
    try {
      if ((await getDoc(doc(db, 'pushes', id))).exists()) coll = 'pushes';
      else if ((await getDoc(doc(db, 'notifications', id))).exists()) coll = 'notifications';
    } catch (err) {
      fill(body, notice('error', `Cannot read ${id}: ${errorText(err)}`));
      return;
    }
    if (disposed) return;
    if (!coll) {
      fill(body, notice('error', `No push or notification has the id ${id}.`));
      return;
    }
    const deliveries = h('div', {});
    stops.push(
      onSnapshot(
        doc(db, coll, id),
        (snap) => {
          const data = snap.data();
          if (!data) return fill(body, notice('error', `${coll} ${id} was deleted.`));
          fill(body, ...details(services, coll, id, data, actionMessage), deliveries);
          if (coll === 'notifications') listenDeliveries(data, deliveries);
        },
        (err) => fill(body, notice('error', `Cannot read ${coll}/${id}: ${errorText(err)}`)),
      ),
    );
  })();

  // A notification's deliveries, one listener per delivery id (a user has at most a few devices).
  let watched = '';
  const listenDeliveries = (data: DocumentData, into: HTMLElement) => {
    const ids = Array.isArray(data.deliveryIds) ? (data.deliveryIds as string[]).slice(0, 20) : [];
    if (ids.join() === watched) return;
    watched = ids.join();
    while (stops.length > 1) stops.pop()!();
    const rows = new Map<string, HTMLElement>();
    const table = h('tbody', {});
    fill(
      into,
      h('h2', {}, 'Deliveries'),
      ids.length
        ? h(
            'table',
            { class: 'list' },
            h(
              'thead',
              {},
              h(
                'tr',
                {},
                ['Device', 'Status', 'Attempts', 'Result', 'Id'].map((t) => h('th', {}, t)),
              ),
            ),
            table,
          )
        : h(
            'p',
            { class: 'muted' },
            'No deliveries yet: a notification is expanded into one push per device when it is due.',
          ),
    );
    for (const did of ids) {
      const row = h('tr', { 'data-id': did });
      rows.set(did, row);
      table.append(row);
      stops.push(
        onSnapshot(doc(db, 'pushes', did), (snap) => {
          const d = snap.data() ?? {};
          const result = (d.result ?? {}) as Record<string, unknown>;
          fill(
            row,
            h('td', {}, describeTarget(d.target)),
            h('td', {}, badge(d.status)),
            h('td', { class: 'num' }, String(d.attempts ?? 0)),
            h(
              'td',
              {},
              typeof result.code === 'string'
                ? h('code', {}, result.code)
                : typeof result.messageId === 'string'
                  ? 'delivered to FCM'
                  : '',
            ),
            h('td', {}, h('a', { href: pushHash(did), class: 'mono' }, did.slice(0, 12))),
          );
        }),
      );
    }
  };

  return {
    el,
    dispose() {
      disposed = true;
      for (const stop of stops) stop();
    },
  };
}

function details(
  services: Services,
  coll: Collection,
  id: string,
  data: DocumentData,
  actionMessage: HTMLElement,
): HTMLElement[] {
  const status = String(data.status ?? 'unknown');
  const kind = coll === 'pushes' ? 'push' : 'notification';
  const uid = typeof data.uid === 'string' ? data.uid : undefined;
  const result = (data.result ?? null) as Record<string, unknown> | null;
  const source = (data.source ?? {}) as Record<string, unknown>;
  const row = (k: string, v: Node | string) => h('tr', {}, h('th', {}, k), h('td', {}, v));
  const kv = (title: string, ...rows: Array<HTMLElement | null>) =>
    h(
      'div',
      { class: 'card' },
      h('h2', {}, title),
      h('table', { class: 'kv' }, h('tbody', {}, rows)),
    );
  const target = (data.target ?? {}) as Record<string, unknown>;

  return [
    h(
      'div',
      { class: 'actions' },
      h('span', { class: 'kind' }, kind),
      badge(status),
      RETRYABLE.includes(status) &&
        actionButton('Retry', () => operatorRetry(services, id), actionMessage, 'retry'),
      CANCELLABLE.includes(status) &&
        actionButton('Cancel', () => operatorCancel(services, id), actionMessage, 'cancel danger'),
      actionMessage,
    ),
    h(
      'div',
      { class: 'grid' },
      kv(
        'Content',
        row('Title', String(data.title ?? '—')),
        row('Body', String(data.content ?? '—')),
        row('Image', typeof data.image === 'string' ? data.image : '—'),
        row('Data', h('code', {}, JSON.stringify(data.data ?? {}))),
        data.category ? row('Category', String(data.category)) : null,
      ),
      kv(
        'Target',
        uid ? row('User', h('a', { href: userHash(uid) }, uid)) : null,
        typeof target.token === 'string' ? row('Device token', shortToken(target.token)) : null,
        typeof target.topic === 'string' ? row('Topic', target.topic) : null,
        typeof target.condition === 'string' ? row('Condition', target.condition) : null,
        typeof data.notificationId === 'string'
          ? row(
              'Notification',
              h('a', { href: pushHash(data.notificationId) }, data.notificationId),
            )
          : null,
        row('Source', `${String(source.check ?? '—')} on ${String(source.path ?? '—')}`),
      ),
      kv(
        'Result',
        row('Status', badge(status)),
        row('Attempts', String(data.attempts ?? 0)),
        row('Code', result && typeof result.code === 'string' ? h('code', {}, result.code) : '—'),
        row('Message', result && typeof result.message === 'string' ? result.message : '—'),
        result && typeof result.messageId === 'string'
          ? row('FCM message', result.messageId)
          : null,
        row('Created', formatTime(data.createdAt)),
        row('Reserved for', formatTime(data.reservedAt)),
        row('Next attempt', formatTime(data.nextAttemptAt)),
        row('Finished', formatTime(data.finishedAt)),
      ),
    ),
    h('h2', {}, 'History'),
    timeline(data.history),
  ];
}
