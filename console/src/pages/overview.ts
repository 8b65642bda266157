/**
 * Overview: the current state (pushStats/overview, counted by the dispatcher at each tick) and
 * the last hour (pushStatsMinutes, written as results happen). Two listeners, each on small
 * documents; never one over `pushes` itself.
 */
import {
  Timestamp,
  collection,
  doc,
  onSnapshot,
  orderBy,
  query,
  where,
  type DocumentData,
  type Unsubscribe,
} from 'firebase/firestore';
import { formatAge, formatTime, toMillis } from '../data/format';
import { STATS_MINUTES } from '../data/list-query';
import {
  MINUTE_MS,
  bucketMinutes,
  toMinuteDoc,
  topCodes,
  totals,
  type MinuteDoc,
} from '../data/minutes';
import { NOTIFICATION_STATUSES, PUSH_STATUSES, type Collection } from '../data/statuses';
import type { Services } from '../firebase/services';
import { pushesHash } from '../route';
import { minuteChart } from '../ui/chart';
import { badge, errorText, fill, h, notice, type Page } from '../ui/dom';

const HOUR_MS = 60 * MINUTE_MS;
/** The minutes listener starts an hour back; re-subscribing now and then keeps it an hour. */
const RESUBSCRIBE_MS = 10 * MINUTE_MS;

export function overviewPage({ db }: Services): Page {
  const state = h('div', { class: 'grid' }, h('p', { class: 'loading' }, 'Loading…'));
  const hour = h('div', {}, h('p', { class: 'loading' }, 'Loading…'));
  const el = h(
    'section',
    { id: 'overview' },
    h('h1', {}, 'Overview'),
    state,
    h('h2', {}, 'Last hour'),
    hour,
  );

  let overview: DocumentData | undefined;
  let minutes: MinuteDoc[] = [];
  const renderState = () => fill(state, ...stateCards(overview));
  const renderHour = () => fill(hour, ...hourView(minutes));

  const stopOverview = onSnapshot(
    doc(db, 'pushStats', 'overview'),
    (snap) => {
      overview = snap.data();
      renderState();
    },
    (err) => fill(state, notice('error', `Cannot read pushStats/overview: ${errorText(err)}`)),
  );

  let stopMinutes: Unsubscribe = () => undefined;
  const listenMinutes = () => {
    stopMinutes();
    const field = STATS_MINUTES.order!.field;
    const q = query(
      collection(db, STATS_MINUTES.collection),
      where(field, '>=', Timestamp.fromMillis(Date.now() - HOUR_MS)),
      orderBy(field, STATS_MINUTES.order!.direction),
    );
    stopMinutes = onSnapshot(
      q,
      (snap) => {
        minutes = snap.docs.map((d) => toMinuteDoc(d.data(), toMillis(d.get('minute')) ?? 0));
        renderHour();
      },
      (err) => fill(hour, notice('error', `Cannot read pushStatsMinutes: ${errorText(err)}`)),
    );
  };
  listenMinutes();
  const resubscribe = setInterval(listenMinutes, RESUBSCRIBE_MS);
  // The oldest age and the chart's window move with the clock, not only with new data.
  const tick = setInterval(() => {
    renderState();
    renderHour();
  }, 10_000);

  return {
    el,
    dispose() {
      stopOverview();
      stopMinutes();
      clearInterval(resubscribe);
      clearInterval(tick);
    },
  };
}

function stateCards(data: DocumentData | undefined): HTMLElement[] {
  if (!data) {
    return [
      notice(
        'info',
        'No statistics yet: pushStats/overview is written by drainReservedPushes at its next tick (every minute; in npm start as often as --drain-every says).',
      ),
    ];
  }
  const oldest = toMillis(data.oldestDueAt);
  const backlog = typeof data.dueBacklog === 'number' ? data.dueBacklog : 0;
  return [
    h(
      'div',
      { class: 'card', id: 'backlog' },
      h('h3', {}, 'Due backlog'),
      h('p', { class: 'big', 'data-testid': 'due-backlog' }, String(backlog)),
      h(
        'p',
        {},
        oldest === undefined
          ? 'nothing waiting'
          : `oldest due ${formatAge(Date.now() - oldest)} ago`,
      ),
      h('p', { class: 'muted' }, `as of ${formatTime(data.updatedAt)}`),
    ),
    statusCard('Notifications', 'notifications', NOTIFICATION_STATUSES, data.notifications),
    statusCard('Pushes (deliveries)', 'pushes', PUSH_STATUSES, data.pushes),
  ];
}

function statusCard(
  title: string,
  coll: Collection,
  statuses: readonly string[],
  counts: unknown,
): HTMLElement {
  const map = (counts ?? {}) as Record<string, unknown>;
  return h(
    'div',
    { class: 'card', id: `by-status-${coll}` },
    h('h3', {}, title),
    h(
      'table',
      { class: 'counts' },
      h(
        'tbody',
        {},
        statuses.map((s) =>
          h(
            'tr',
            {},
            h('td', {}, h('a', { href: pushesHash({ collection: coll, status: s }) }, badge(s))),
            h('td', { class: 'num' }, String(typeof map[s] === 'number' ? map[s] : 0)),
          ),
        ),
      ),
    ),
  );
}

function hourView(docs: MinuteDoc[]): HTMLElement[] {
  const now = Date.now();
  const recent = docs.filter((d) => d.minute > now - HOUR_MS);
  const sum = totals(recent);
  const codes = topCodes(recent);
  return [
    h(
      'p',
      { class: 'totals', 'data-testid': 'hour-totals' },
      `${sum.queued} queued · ${sum.sent} sent · ${sum.failed} failed · ${sum.rejected} rejected · ${sum.expired} expired · ${sum.cancelled} cancelled · ${sum.suppressed} suppressed · ${sum.retried} retried`,
    ),
    h(
      'div',
      { class: 'card wide' },
      h(
        'h3',
        {},
        'Per minute: ',
        h('span', { class: 'legend sent' }, 'sent'),
        ' and ',
        h('span', { class: 'legend failed' }, 'failed (failed, rejected, expired)'),
      ),
      minuteChart(bucketMinutes(recent, now)),
    ),
    h(
      'div',
      { class: 'card', id: 'top-codes' },
      h('h3', {}, 'Top failure codes'),
      codes.length
        ? h(
            'table',
            { class: 'counts' },
            h(
              'tbody',
              {},
              codes.map((c) =>
                h(
                  'tr',
                  {},
                  h('td', {}, h('code', {}, c.code)),
                  h('td', { class: 'num' }, String(c.count)),
                ),
              ),
            ),
          )
        : h('p', { class: 'muted' }, 'No failures in the last hour.'),
    ),
  ];
}
