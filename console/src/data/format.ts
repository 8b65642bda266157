/** Small formatting helpers shared by the pages (pure). */

/** A Firestore Timestamp, a Date, epoch ms, or nothing, as epoch ms or undefined. */
export function toMillis(value: unknown): number | undefined {
  if (typeof value === 'number') return value;
  if (value instanceof Date) return value.getTime();
  if (value && typeof value === 'object' && 'toMillis' in value) {
    const f = (value as { toMillis: unknown }).toMillis;
    if (typeof f === 'function') return (f as () => number).call(value);
  }
  return undefined;
}

/** `2026-11-28 05:12:03` in the viewer's time zone, or an em dash. */
export function formatTime(value: unknown): string {
  const ms = toMillis(value);
  if (ms === undefined) return '—';
  const d = new Date(ms);
  const p = (n: number) => String(n).padStart(2, '0');
  return `${d.getFullYear()}-${p(d.getMonth() + 1)}-${p(d.getDate())} ${p(d.getHours())}:${p(d.getMinutes())}:${p(d.getSeconds())}`;
}

/** `45 s`, `12 min`, `3 h 5 min`, `2 d 4 h`: how long ago, for the backlog's oldest age. */
export function formatAge(ms: number): string {
  const s = Math.max(0, Math.round(ms / 1000));
  if (s < 60) return `${s} s`;
  const m = Math.floor(s / 60);
  if (m < 60) return `${m} min`;
  const h = Math.floor(m / 60);
  if (h < 24) return `${h} h ${m % 60} min`;
  return `${Math.floor(h / 24)} d ${h % 24} h`;
}

/** A push's target for a list row: a user, a topic, a condition, or a shortened token. */
export function describeTarget(target: unknown, uid?: unknown): string {
  const t = (target ?? {}) as Record<string, unknown>;
  if (typeof t.topic === 'string') return `topic ${t.topic}`;
  if (typeof t.condition === 'string') return `condition ${t.condition}`;
  const who = typeof uid === 'string' ? `user ${uid}` : undefined;
  if (typeof t.token === 'string') {
    const device = `device ${shortToken(t.token)}`;
    return who ? `${who}, ${device}` : device;
  }
  return who ?? '—';
}

/** First 6 and last 4 characters, as the operator callables shorten tokens. */
export function shortToken(token: string): string {
  return token.length <= 12 ? token : `${token.slice(0, 6)}…${token.slice(-4)}`;
}
