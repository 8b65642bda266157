/**
 * Users: look up a uid. Devices come from the operatorUserDevices callable, which shortens tokens
 * (the rules keep pushTokens closed even to operators); recent notifications and pushes are the
 * declared by-user list queries, live.
 */
import type { Unsubscribe } from 'firebase/firestore';
import { formatTime } from '../data/format';
import { listenList } from '../data/list-listener';
import type { Collection } from '../data/statuses';
import { operatorUserDevices, type Device } from '../firebase/callables';
import type { Services } from '../firebase/services';
import { pushesHash, userHash } from '../route';
import { errorText, fill, h, notice, type Page } from '../ui/dom';
import { pushTable } from '../ui/push-table';

const RECENT = 10;

export function usersPage(services: Services, uid: string): Page {
  const input = h('input', { name: 'uid', placeholder: 'uid', value: uid, required: true });
  const form = h(
    'form',
    {
      class: 'filters',
      onsubmit: (e) => {
        e.preventDefault();
        location.hash = userHash(input.value.trim());
      },
    },
    input,
    h('button', { type: 'submit' }, 'Look up'),
  );
  const el = h('section', { id: 'users' }, h('h1', {}, 'Users'), form);
  const stops: Unsubscribe[] = [];
  if (!uid) return { el, dispose: () => undefined };

  const devices = h('div', {}, h('p', { class: 'loading' }, 'Loading devices…'));
  el.append(h('h2', {}, 'Devices'), devices);
  operatorUserDevices(services, uid).then(
    (r) => fill(devices, deviceTable(r.devices)),
    (err: unknown) => fill(devices, notice('error', `operatorUserDevices: ${errorText(err)}`)),
  );

  for (const coll of ['notifications', 'pushes'] as Collection[]) {
    const box = h('div', {}, h('p', { class: 'loading' }, 'Loading…'));
    el.append(
      h(
        'h2',
        {},
        `Recent ${coll} `,
        h('a', { href: pushesHash({ collection: coll, uid }), class: 'small' }, 'all'),
      ),
      box,
    );
    stops.push(
      listenList(
        services.db,
        { collection: coll, uid },
        { size: RECENT },
        (docs) => fill(box, pushTable(coll, docs)),
        (err) => fill(box, notice('error', `Cannot list ${coll}: ${errorText(err)}`)),
      ),
    );
  }
  return { el, dispose: () => stops.forEach((s) => s()) };
}

function deviceTable(devices: Device[]): HTMLElement {
  if (!devices.length) return h('p', { class: 'muted' }, 'No registered devices.');
  const cols = [
    'Token',
    'Platform',
    'Locale',
    'Time zone',
    'App version',
    'Registered',
    'Last refresh',
  ];
  return h(
    'table',
    { class: 'list', id: 'devices' },
    h(
      'thead',
      {},
      h(
        'tr',
        {},
        cols.map((c) => h('th', {}, c)),
      ),
    ),
    h(
      'tbody',
      {},
      devices.map((d) =>
        h(
          'tr',
          { 'data-token-id': d.tokenId },
          h('td', { class: 'mono' }, d.token),
          h('td', {}, d.platform),
          h('td', {}, d.locale ?? '—'),
          h('td', {}, d.timezone ?? '—'),
          h('td', {}, d.appVersion ?? '—'),
          h('td', {}, formatTime(d.createdAt)),
          h('td', {}, formatTime(d.updatedAt)),
        ),
      ),
    ),
  );
}
