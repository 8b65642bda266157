/**
 * The overview's last hour, from pushStatsMinutes documents: each minute is written as up to 8
 * shard documents (so no document is written more than about once a second), which are summed
 * here per minute. Pure: the page converts snapshots to MinuteDoc first.
 */
import { MINUTE_COUNTERS, type MinuteCounter } from './statuses';

export interface MinuteDoc {
  /** Start of the minute, epoch ms. */
  minute: number;
  counters: Partial<Record<MinuteCounter, number>>;
  codes: Record<string, number>;
}

export interface MinuteBucket {
  start: number;
  sent: number;
  /** Not delivered: failed + rejected + expired. */
  failed: number;
}

export const MINUTE_MS = 60_000;

/** Every minute of the window ending at `nowMs` (oldest first), empty minutes included. */
export function bucketMinutes(docs: MinuteDoc[], nowMs: number, minutes = 60): MinuteBucket[] {
  const last = Math.floor(nowMs / MINUTE_MS) * MINUTE_MS;
  const first = last - (minutes - 1) * MINUTE_MS;
  const buckets: MinuteBucket[] = Array.from({ length: minutes }, (_, i) => ({
    start: first + i * MINUTE_MS,
    sent: 0,
    failed: 0,
  }));
  for (const doc of docs) {
    const i = Math.floor((doc.minute - first) / MINUTE_MS);
    const b = buckets[i];
    if (!b) continue;
    const c = doc.counters;
    b.sent += c.sent ?? 0;
    b.failed += (c.failed ?? 0) + (c.rejected ?? 0) + (c.expired ?? 0);
  }
  return buckets;
}

/** Counter totals over the documents (all shards, all minutes). */
export function totals(docs: MinuteDoc[]): Record<MinuteCounter, number> {
  const out = Object.fromEntries(MINUTE_COUNTERS.map((k) => [k, 0])) as Record<
    MinuteCounter,
    number
  >;
  for (const doc of docs) for (const k of MINUTE_COUNTERS) out[k] += doc.counters[k] ?? 0;
  return out;
}

/** The most frequent result codes, largest first (ties by name, so the order is stable). */
export function topCodes(docs: MinuteDoc[], n = 5): Array<{ code: string; count: number }> {
  const sum = new Map<string, number>();
  for (const doc of docs) {
    for (const [code, count] of Object.entries(doc.codes)) {
      if (typeof count === 'number' && count > 0) sum.set(code, (sum.get(code) ?? 0) + count);
    }
  }
  return [...sum]
    .map(([code, count]) => ({ code, count }))
    .sort((a, b) => b.count - a.count || a.code.localeCompare(b.code))
    .slice(0, n);
}

/** A pushStatsMinutes document's data as a MinuteDoc (absent counters are 0; junk ignored). */
export function toMinuteDoc(data: Record<string, unknown>, minuteMs: number): MinuteDoc {
  const counters: MinuteDoc['counters'] = {};
  for (const k of MINUTE_COUNTERS) {
    const v = data[k];
    if (typeof v === 'number' && Number.isFinite(v)) counters[k] = v;
  }
  const codes: Record<string, number> = {};
  const raw = data.codes;
  if (raw && typeof raw === 'object') {
    for (const [code, v] of Object.entries(raw as Record<string, unknown>)) {
      if (typeof v === 'number' && Number.isFinite(v)) codes[code] = v;
    }
  }
  return { minute: minuteMs, counters, codes };
}
