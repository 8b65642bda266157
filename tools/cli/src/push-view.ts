/**
 * A `pushes` or `notifications` document as an operator sees it: Timestamps as ISO strings, and
 * the FCM token replaced by its short hash (tokens are credentials to a device; they never reach
 * a terminal).
 */
import { Timestamp, type DocumentSnapshot } from 'firebase-admin/firestore';
import { tokenForLog } from '../../../functions/src/core/token-id';

export type Plain = Record<string, unknown>;

export interface HistoryEntry {
  at?: string;
  event?: string;
  by?: string;
  attempt?: number;
  code?: string;
  [field: string]: unknown;
}

/** Fields shown first, in this order; the rest follow alphabetically. */
const FIELD_ORDER = [
  'status',
  'category',
  'target',
  'uid',
  'notificationId',
  'title',
  'content',
  'contentLocale',
  'data',
  'attempts',
  'result',
  'createdAt',
  'reservedAt',
  'nextAttemptAt',
  'expiresAt',
  'sentAt',
  'finishedAt',
];

function plain(value: unknown): unknown {
  if (value instanceof Timestamp) return value.toDate().toISOString();
  if (Array.isArray(value)) return value.map(plain);
  if (value && typeof value === 'object' && Object.getPrototypeOf(value) === Object.prototype) {
    return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, plain(v)]));
  }
  return value;
}

export function pushView(snap: DocumentSnapshot): Plain {
  const data = plain(snap.data() ?? {}) as Plain;
  if (typeof data.pushToken === 'string') data.pushToken = tokenForLog(data.pushToken);
  const target = data.target as Plain | undefined;
  if (target && typeof target.token === 'string') target.token = tokenForLog(target.token);
  const ordered: Plain = { id: snap.id };
  for (const key of FIELD_ORDER) if (key in data) ordered[key] = data[key];
  for (const key of Object.keys(data).sort()) if (!(key in ordered)) ordered[key] = data[key];
  return ordered;
}

/** `token sha256:…`, `topic news`, `condition '…'`; works on a view (token already hashed). */
export function targetLabel(view: Plain): string {
  const t = (view.target ?? {}) as Plain;
  if (typeof t.token === 'string') return `token ${t.token}`;
  if (typeof t.topic === 'string') return `topic ${t.topic}`;
  if (typeof t.condition === 'string') return `condition ${t.condition}`;
  return '?';
}

export function resultCode(view: Plain): string | undefined {
  const r = view.result as Plain | null | undefined;
  return typeof r?.code === 'string' ? r.code : undefined;
}

export function historyOf(view: Plain): HistoryEntry[] {
  return Array.isArray(view.history) ? (view.history as HistoryEntry[]) : [];
}

/** One history entry as a line: `2026-… claimed by run-1 (attempt 2)`. */
export function historyLine(entry: HistoryEntry): string {
  const parts = [entry.at ?? '?', entry.event ?? '?'];
  if (entry.by) parts.push(`by ${entry.by}`);
  if (entry.attempt !== undefined) parts.push(`(attempt ${entry.attempt})`);
  if (entry.code) parts.push(entry.code);
  if (typeof entry.until === 'string') parts.push(`until ${entry.until}`);
  return parts.join(' ');
}

/**
 * Why the user's preferences held a notification or push back, in words, or undefined: the
 * category they turned off, the quiet hours it waits for (or expired in), or, once sent, that it
 * had waited for them.
 */
export function preferenceNote(view: Plain): string | undefined {
  const code = resultCode(view);
  const result = (view.result ?? {}) as Plain;
  const message = typeof result.message === 'string' ? result.message : '';
  if (view.status === 'suppressed' && code?.startsWith('OPTED_OUT:')) {
    return `suppressed: the user turned category "${code.slice('OPTED_OUT:'.length)}" off (${code})`;
  }
  if (code === 'QUIET_HOURS') {
    if (view.status === 'expired') return `expired in quiet hours: ${message}`;
    return `deferred: ${message}`;
  }
  if (typeof result.deferred === 'number') {
    return `${result.deferred} of ${String(result.deliveries)} deliveries wait for the user's quiet hours to end`;
  }
  const waited = historyOf(view).find((h) => h.event === 'deferred' && h.code === 'QUIET_HOURS');
  if (waited) return `waited for the user's quiet hours until ${String(waited.until ?? '?')}`;
  return undefined;
}

/** Seconds as `3d 4h`, `12m 5s`, `40s`: for ages of queued pushes. */
export function formatAge(ms: number): string {
  const s = Math.max(0, Math.round(ms / 1000));
  const units: Array<[string, number]> = [
    ['d', 86_400],
    ['h', 3_600],
    ['m', 60],
    ['s', 1],
  ];
  const parts: string[] = [];
  let rest = s;
  for (const [name, size] of units) {
    if (rest >= size || (name === 's' && parts.length === 0)) {
      parts.push(`${Math.floor(rest / size)}${name}`);
      rest %= size;
    }
    if (parts.length === 2) break;
  }
  return parts.join(' ');
}
