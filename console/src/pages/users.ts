/**
 * Users: look up a uid. Devices come from the operatorUserDevices callable, which shortens tokens
 * (the rules keep pushTokens closed even to operators); the user's push preferences (what they
 * turned off, quiet hours: why a push was suppressed or deferred) and recent notifications and
 * pushes are read live, the lists through the declared by-user queries.
 */
import { doc, onSnapshot, type DocumentData, type Unsubscribe } from 'firebase/firestore';
import { formatTime } from '../data/format';
import { listenList } from '../data/list-listener';
import type { Collection } from '../data/statuses';
import { operatorUserDevices, type DeviceView } from '../firebase/callables';
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

  const prefs = h('div', {}, h('p', { class: 'loading' }, 'Loading preferences…'));
  el.append(h('h2', {}, 'Preferences'), prefs);
  stops.push(
    onSnapshot(
      doc(services.db, 'pushPreferences', uid),
      (snap) => fill(prefs, preferences(snap.data())),
      (err) => fill(prefs, notice('error', `Cannot read pushPreferences: ${errorText(err)}`)),
    ),
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

function deviceTable(devices: DeviceView[]): HTMLElement {
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

/** pushPreferences/{uid} as setPushPreferences stores it (every field present, null when unset). */
function preferences(data: DocumentData | undefined): HTMLElement {
  if (!data) {
    return h(
      'p',
      { id: 'preferences', class: 'muted' },
      'None set: every category on, no quiet hours.',
    );
  }
  const categories = (data.categories ?? {}) as Record<string, unknown>;
  const off = Object.keys(categories).filter((c) => categories[c] === false);
  const quiet = data.quietHours as { start?: unknown; end?: unknown } | null | undefined;
  const row = (k: string, v: string) => h('tr', {}, h('th', {}, k), h('td', {}, v));
  return h(
    'table',
    { class: 'kv', id: 'preferences' },
    h(
      'tbody',
      {},
      row('Categories off', off.length ? off.join(', ') : 'none'),
      row('Quiet hours', quiet ? `${String(quiet.start)}–${String(quiet.end)}` : 'none'),
      row('Time zone', typeof data.timezone === 'string' ? data.timezone : '—'),
      row('Language', typeof data.locale === 'string' ? data.locale : '—'),
    ),
  );
}
