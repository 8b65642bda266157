/**
 * The console's hash routes (a hash keeps every route on index.html, so a reload works on any
 * static host; Hosting's SPA rewrite is there for anything else):
 *   #/                  overview
 *   #/pushes?collection=pushes|notifications&status=&uid=
 *   #/push/<id>         a push, or else a notification, with that id
 *   #/users[/<uid>]     look up a user
 *   #/send              send a test push
 */
import type { Collection } from './data/statuses';

export type Route =
  | { page: 'overview' }
  | { page: 'pushes'; collection: Collection; status: string; uid: string }
  | { page: 'push'; id: string }
  | { page: 'users'; uid: string }
  | { page: 'send' };

export function parseRoute(hash: string): Route {
  const [path = '', search = ''] = hash.replace(/^#/, '').split('?');
  const parts = path.split('/').filter(Boolean).map(decodeURIComponent);
  const q = new URLSearchParams(search);
  switch (parts[0]) {
    case 'pushes':
      return {
        page: 'pushes',
        collection: q.get('collection') === 'notifications' ? 'notifications' : 'pushes',
        status: q.get('status') ?? '',
        uid: q.get('uid') ?? '',
      };
    case 'push':
      return parts[1] ? { page: 'push', id: parts[1] } : { page: 'overview' };
    case 'users':
      return { page: 'users', uid: parts[1] ?? '' };
    case 'send':
      return { page: 'send' };
    default:
      return { page: 'overview' };
  }
}

export function pushesHash(f: { collection: Collection; status?: string; uid?: string }): string {
  const q = new URLSearchParams({ collection: f.collection });
  if (f.status) q.set('status', f.status);
  if (f.uid) q.set('uid', f.uid);
  return `#/pushes?${q.toString()}`;
}

export const pushHash = (id: string) => `#/push/${encodeURIComponent(id)}`;
export const userHash = (uid: string) => `#/users/${encodeURIComponent(uid)}`;
