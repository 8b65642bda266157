/**
 * What a user controls about the pushes they get (`pushPreferences/{uid}`), and the pure decisions
 * that honour it when a push is about to go to one of their devices:
 *
 * - **categories**: a request carries a `category` (`"default"` when absent); a category the user
 *   turned off (`categories[c] === false`) is never sent. Categories not mentioned are on.
 * - **quiet hours**: `{start, end}` as local "HH:MM" in the preference's `timezone`, else the
 *   device's registered `timezone`, else UTC. A push due inside the window waits until its end
 *   (plus a bounded random spread), unless the request says `ignoreQuietHours`; one that would
 *   expire first is not sent. Windows may cross midnight (22:00–08:00); local times are read
 *   from the IANA database, so daylight-saving changes move the window's end with the clock.
 * - **language**: the request's `localized` variant that best matches the preference's `locale`,
 *   else the device's, replaces its `title`/`content`.
 *
 * Pure: no Firestore, no clock (times come in), no randomness (a random number comes in).
 */
import { z } from 'zod';
import { normaliseLocale, normaliseTimeZone, type Normalised } from './locale';
import { isPlainObject, ok, reject, type Parsed } from './parse';
import { parseWith } from './schema';
import { jsonBytesUpTo, MAX_CALL_DATA_BYTES } from './token-registration';

// ---- the stored preferences --------------------------------------------------------------------

export interface QuietHours {
  /** Local wall-clock time the window starts, "HH:MM" (00:00–23:59). */
  start: string;
  /** Local wall-clock time it ends; earlier than `start` means it crosses midnight. */
  end: string;
}

export interface PushPreferences {
  /** `false` turns a category off; a category not named here is on. */
  categories: Record<string, boolean>;
  quietHours?: QuietHours;
  /** IANA zone for quiet hours; absent: each device's registered zone, else UTC. */
  timezone?: string;
  /** BCP 47 tag for `localized`; absent: each device's registered locale. */
  locale?: string;
}

/** What the callables answer: every field present, `null` where nothing is set. */
export interface PreferencesAnswer {
  categories: Record<string, boolean>;
  quietHours: QuietHours | null;
  timezone: string | null;
  locale: string | null;
}

export const DEFAULT_CATEGORY = 'default';
/** Category names: letters, digits, `_` and `-`, 1–64 characters (also a map key in Firestore). */
export const CATEGORY_PATTERN = /^[A-Za-z0-9_-]{1,64}$/;
/** Categories stored per user (and named per call): an app's settings screen, not a data store. */
export const MAX_CATEGORIES = 64;
export const PREFERENCE_FIELDS = ['categories', 'quietHours', 'timezone', 'locale'] as const;
const HH_MM = /^([01]\d|2[0-3]):([0-5]\d)$/;

export const emptyPreferences = (): PushPreferences => ({ categories: {} });

export function answerOf(p: PushPreferences | undefined): PreferencesAnswer {
  return {
    categories: { ...(p?.categories ?? {}) },
    quietHours: p?.quietHours ? { ...p.quietHours } : null,
    timezone: p?.timezone ?? null,
    locale: p?.locale ?? null,
  };
}

export function categoryProblem(value: unknown): string | undefined {
  if (typeof value !== 'string') return 'must be a string';
  if (!CATEGORY_PATTERN.test(value))
    return 'must be 1 to 64 letters, digits, "_" or "-" (e.g. "marketing", "order_updates")';
  return undefined;
}

const quietHoursTime = z
  .string({ error: '{field} must be a 24-hour local time "HH:MM" from 00:00 to 23:59.' })
  .regex(HH_MM, { error: '{field} must be a 24-hour local time "HH:MM" from 00:00 to 23:59.' });

const quietHoursSchema = z
  .strictObject(
    { start: quietHoursTime, end: quietHoursTime },
    {
      error: (iss) =>
        iss.code === 'unrecognized_keys'
          ? '{key} is not a known field (start, end).'
          : '{field} must be { start: "HH:MM", end: "HH:MM" } or null.',
    },
  )
  .refine((q) => q.start !== q.end, {
    path: ['end'],
    error: '{field} must differ from start (an empty or whole-day window is not quiet hours).',
  });

/** `{ marketing: false }`: at most MAX_CATEGORIES names, each a category name, each a boolean. */
const categoriesSchema = z
  // A plain object taken as it is: a copy would lose a category named "__proto__".
  .custom<Record<string, unknown>>(isPlainObject, {
    error: '{field} must be an object such as { marketing: false }.',
  })
  .superRefine((c, ctx) => {
    const entries = Object.entries(c);
    if (entries.length > MAX_CATEGORIES) {
      ctx.addIssue({
        code: 'custom',
        message: `{field} may name at most ${MAX_CATEGORIES} categories.`,
      });
      return;
    }
    for (const [name, on] of entries) {
      const problem = categoryProblem(name);
      if (problem || typeof on !== 'boolean') {
        ctx.addIssue({
          code: 'custom',
          path: [name],
          message: problem
            ? `{field}: the category name ${problem}.`
            : '{field} must be true or false.',
        });
        return;
      }
    }
  })
  .transform((c) => c as Record<string, boolean>);

/** A zone or a locale, stored normalised (core/locale.ts); one that cannot be is refused. */
const normalisedBy = (normalise: (raw: unknown) => Normalised) =>
  z.unknown().transform((raw, ctx) => {
    const n = normalise(raw);
    if (n.ok) return n.value;
    ctx.issues.push({ code: 'custom', input: raw, message: `{field}: ${n.reason}.` });
    return z.NEVER;
  });

/**
 * What a client sends to `setPushPreferences`; `null` clears a field, absent leaves it. Unlike
 * token registration, which drops a value it cannot use with a warning, anything here that cannot
 * be used is refused naming the field: the user is setting it on purpose and must learn that it
 * did not take.
 */
export const preferenceChangeSchema = z.strictObject(
  {
    /** Merged key by key into the stored categories (null: no change). */
    categories: categoriesSchema.nullish(),
    quietHours: quietHoursSchema.nullable().optional(),
    timezone: normalisedBy(normaliseTimeZone).nullable().optional(),
    locale: normalisedBy(normaliseLocale).nullable().optional(),
  },
  {
    error: (iss) =>
      iss.code === 'unrecognized_keys'
        ? `{key} is not a known field (allowed: ${PREFERENCE_FIELDS.join(', ')}).`
        : 'data must be an object such as { categories: { marketing: false } }.',
  },
);

type ChangeFields = z.output<typeof preferenceChangeSchema>;
/** What `setPushPreferences` may change; `null` clears a field, absent leaves it. */
export type PreferenceChange = Omit<ChangeFields, 'categories'> & {
  categories?: Record<string, boolean>;
};

/** Parses what a client sends to `setPushPreferences` (see preferenceChangeSchema). */
export function parsePreferenceChange(data: unknown): Parsed<PreferenceChange> {
  if (jsonBytesUpTo(data, MAX_CALL_DATA_BYTES) > MAX_CALL_DATA_BYTES) {
    return reject(
      '(data)',
      `data must be at most ${MAX_CALL_DATA_BYTES.toLocaleString('en-US')} bytes as JSON.`,
    );
  }
  if (data === undefined || data === null) return ok({});
  if (!isPlainObject(data)) {
    return reject('(data)', 'data must be an object such as { categories: { marketing: false } }.');
  }
  const r = parseWith(preferenceChangeSchema, data, '', { field: '(data)', name: 'data' });
  if (!r.ok) return r;
  const change: PreferenceChange = {};
  for (const [k, v] of Object.entries(r.value)) {
    if (v === undefined || (k === 'categories' && v === null)) continue;
    (change as Record<string, unknown>)[k] = k === 'categories' ? { ...(v as object) } : v;
  }
  return ok(change);
}

/** The stored preferences after a change, or why the change cannot be stored. */
export function mergePreferences(
  current: PushPreferences | undefined,
  change: PreferenceChange,
): Parsed<PushPreferences> {
  const base = current ?? emptyPreferences();
  const categories = { ...base.categories, ...(change.categories ?? {}) };
  const count = Object.keys(categories).length;
  if (count > MAX_CATEGORIES) {
    return reject(
      'categories',
      `categories would hold ${count} categories; at most ${MAX_CATEGORIES} are kept per user.`,
    );
  }
  const next: PushPreferences = { categories };
  const pick = <K extends 'quietHours' | 'timezone' | 'locale'>(k: K) =>
    change[k] === undefined ? base[k] : (change[k] ?? undefined);
  const quietHours = pick('quietHours');
  const timezone = pick('timezone');
  const locale = pick('locale');
  if (quietHours) next.quietHours = quietHours as QuietHours;
  if (timezone) next.timezone = timezone as string;
  if (locale) next.locale = locale as string;
  return ok(next);
}

/** Reads stored preferences leniently: a field that does not have its shape is ignored. */
export function preferencesFrom(data: Record<string, unknown> | undefined): PushPreferences {
  const p = emptyPreferences();
  if (!data) return p;
  if (isPlainObject(data.categories)) {
    for (const [k, v] of Object.entries(data.categories))
      if (typeof v === 'boolean') p.categories[k] = v;
  }
  const q = data.quietHours;
  if (isPlainObject(q) && typeof q.start === 'string' && HH_MM.test(q.start)) {
    if (typeof q.end === 'string' && HH_MM.test(q.end) && q.end !== q.start) {
      p.quietHours = { start: q.start, end: q.end };
    }
  }
  if (typeof data.timezone === 'string') p.timezone = data.timezone;
  if (typeof data.locale === 'string') p.locale = data.locale;
  return p;
}

/** The category a push is counted in. */
export const categoryOf = (push: { category?: string }): string =>
  push.category ?? DEFAULT_CATEGORY;

/** True when the user turned the push's category off. */
export function isOptedOut(prefs: PushPreferences | undefined, category: string): boolean {
  return prefs?.categories[category] === false;
}

export const optedOutCode = (category: string) => `OPTED_OUT:${category}`;

// ---- wall clocks in a time zone ------------------------------------------------------------

interface WallClock {
  year: number;
  month: number;
  day: number;
  hour: number;
  minute: number;
  second: number;
}

const formatters = new Map<string, Intl.DateTimeFormat>();

function formatterFor(zone: string): Intl.DateTimeFormat {
  let f = formatters.get(zone);
  if (!f) {
    f = new Intl.DateTimeFormat('en-US', {
      timeZone: zone,
      hourCycle: 'h23',
      year: 'numeric',
      month: 'numeric',
      day: 'numeric',
      hour: 'numeric',
      minute: 'numeric',
      second: 'numeric',
    });
    formatters.set(zone, f);
  }
  return f;
}

/** The local date and time an instant shows in `zone`. */
export function wallClockAt(ms: number, zone: string): WallClock {
  const parts: Record<string, number> = {};
  for (const p of formatterFor(zone).formatToParts(new Date(ms))) {
    if (p.type !== 'literal') parts[p.type] = Number(p.value);
  }
  return {
    year: parts.year,
    month: parts.month,
    day: parts.day,
    hour: parts.hour === 24 ? 0 : parts.hour,
    minute: parts.minute,
    second: parts.second,
  };
}

/** How far `zone`'s clock is ahead of UTC at an instant, in ms. */
function offsetAt(ms: number, zone: string): number {
  const w = wallClockAt(ms, zone);
  const asUtc = Date.UTC(w.year, w.month - 1, w.day, w.hour, w.minute, w.second);
  return asUtc - Math.floor(ms / 1000) * 1000;
}

const HOUR_MS = 3_600_000;

/**
 * The first instant at or after which `zone`'s clock shows the local date and time given (or a
 * later one): the instant itself when that time exists once, the earlier of the two when the
 * clock is set back and shows it twice, and the moment the clock jumps when it is set forward
 * over it (02:30 on a night that goes from 02:00 to 03:00 is 03:00).
 */
export function instantsOf(
  date: { year: number; month: number; day: number },
  hour: number,
  minute: number,
  zone: string,
): number[] {
  const guess = Date.UTC(date.year, date.month - 1, date.day, hour, minute);
  const offsets = [
    ...new Set([guess - 12 * HOUR_MS, guess, guess + 12 * HOUR_MS].map((t) => offsetAt(t, zone))),
  ];
  const shows = (t: number) => {
    const w = wallClockAt(t, zone);
    return (
      w.year === date.year &&
      w.month === date.month &&
      w.day === date.day &&
      w.hour === hour &&
      w.minute === minute
    );
  };
  const found = [...new Set(offsets.map((o) => guess - o))].filter(shows).sort((a, b) => a - b);
  if (found.length) return found;
  // A gap: the clock jumps over this time. Its end, the jump, lies between the instants the
  // time would have had under the offsets before and after; find it to the second.
  let lo = guess - Math.max(...offsets);
  let hi = guess - Math.min(...offsets);
  const after = offsetAt(hi, zone);
  while (hi - lo > 1000) {
    const mid = lo + Math.floor((hi - lo) / 2000) * 1000;
    if (offsetAt(mid, zone) === after) hi = mid;
    else lo = mid;
  }
  return [hi];
}

const minutesOf = (hhmm: string) => Number(hhmm.slice(0, 2)) * 60 + Number(hhmm.slice(3, 5));

function nextDay(d: { year: number; month: number; day: number }) {
  const t = new Date(Date.UTC(d.year, d.month - 1, d.day + 1));
  return { year: t.getUTCFullYear(), month: t.getUTCMonth() + 1, day: t.getUTCDate() };
}

/** True when `start <= minute < end` on a clock face, the window crossing midnight or not. */
export function inWindow(minuteOfDay: number, q: QuietHours): boolean {
  const s = minutesOf(q.start);
  const e = minutesOf(q.end);
  return s < e ? minuteOfDay >= s && minuteOfDay < e : minuteOfDay >= s || minuteOfDay < e;
}

/**
 * When the quiet hours that `nowMs` falls in end, or undefined when it is outside them. The
 * window is read on `zone`'s wall clock: the end of a 22:00–08:00 window is the next 08:00 local
 * time, however many hours away a daylight-saving change makes it.
 */
export function quietHoursEnd(nowMs: number, q: QuietHours, zone: string): number | undefined {
  const w = wallClockAt(nowMs, zone);
  const minute = w.hour * 60 + w.minute;
  if (!inWindow(minute, q)) return undefined;
  const s = minutesOf(q.start);
  const e = minutesOf(q.end);
  const endDate = s > e && minute >= s ? nextDay(w) : w;
  const ends = instantsOf(endDate, Math.floor(e / 60), e % 60, zone).filter((t) => t > nowMs);
  return ends[0];
}

// ---- language ----------------------------------------------------------------------------

/** One language's text: each field replaces the request's own, or keeps it when absent. */
export interface LocalizedText {
  title?: string;
  content?: string;
}

/** Variants by canonical BCP 47 tag. */
export type Localized = Record<string, LocalizedText>;

function localeOf(tag: string): Intl.Locale | undefined {
  try {
    return new Intl.Locale(tag);
  } catch {
    return undefined;
  }
}

/**
 * The `localized` key that best fits `locale`: the same tag; else a tag of the same language,
 * preferring the same script (zh-TW reads zh-Hant before zh-Hans), then the same region (en
 * reads en-US before en-GB; regions and scripts are filled in by CLDR's likely subtags, so pt
 * means pt-BR), then the shortest tag; else none (the request's own text).
 */
export function pickLocalized(
  localized: Localized | undefined,
  locale: string | undefined,
): string | undefined {
  if (!localized || !locale) return undefined;
  const keys = Object.keys(localized);
  const exact = keys.find((k) => k.toLowerCase() === locale.toLowerCase());
  if (exact !== undefined) return exact;
  const want = localeOf(locale);
  if (!want) return undefined;
  const wantMax = want.maximize();
  const ranked = keys
    .map((key) => ({ key, loc: localeOf(key) }))
    .filter((c) => c.loc?.language === want.language)
    .map(({ key, loc }) => {
      const max = loc!.maximize();
      return {
        key,
        script: max.script === wantMax.script ? 0 : 1,
        region: max.region === wantMax.region ? 0 : 1,
      };
    })
    .sort(
      (a, b) =>
        a.script - b.script ||
        a.region - b.region ||
        a.key.length - b.key.length ||
        a.key.localeCompare(b.key),
    );
  return ranked[0]?.key;
}

// ---- the decision for one device -----------------------------------------------------------

/** The fields of a push (or of a user's notification) the decision reads. */
export interface PreferenceInput {
  category?: string;
  localized?: Localized;
  ignoreQuietHours?: boolean;
  title?: string;
  content?: string;
  expiresAtMs?: number;
}

/** What the device's registration says about it. */
export interface DeviceInfo {
  locale?: string;
  timezone?: string;
}

/** The quiet hours a push fell into. */
export interface QuietWindow {
  start: string;
  end: string;
  timezone: string;
  /** When the window ends (epoch ms). */
  endsAtMs: number;
}

export type DeliveryDecision =
  /** The user turned the category off: never sent. */
  | { kind: 'suppress'; category: string; code: string }
  /** Send now, with this text (`contentLocale`: the `localized` variant used, if any). */
  | { kind: 'send'; text: LocalizedText; contentLocale?: string }
  /** Quiet hours: send at `untilMs` (the window's end plus a spread), with this text. */
  | {
      kind: 'defer';
      text: LocalizedText;
      contentLocale?: string;
      untilMs: number;
      quiet: QuietWindow;
    }
  /** Quiet hours last until after the push expires: never sent. */
  | { kind: 'expire'; quiet: QuietWindow };

export interface DecisionClock {
  nowMs: number;
  /** A number in [0, 1): where in the spread this push lands. */
  random: number;
  /** The spread after a quiet window's end, so deferred pushes do not all go at once. */
  spreadMs: number;
}

/** True when this runtime's time-zone database knows `zone`. */
function knownZone(zone: string | undefined): zone is string {
  if (zone === undefined) return false;
  try {
    formatterFor(zone);
    return true;
  } catch {
    return false;
  }
}

/**
 * The zone quiet hours are read in: the preference's, else the device's, else UTC. A zone this
 * runtime does not know (a document written by hand, a zone removed from the database) is
 * skipped rather than failing the page it is in.
 */
export function zoneFor(
  prefs: PushPreferences | undefined,
  device: DeviceInfo | undefined,
): string {
  if (knownZone(prefs?.timezone)) return prefs.timezone;
  if (knownZone(device?.timezone)) return device.timezone;
  return 'UTC';
}

/** The text one device gets, and which variant it came from. */
export function textFor(
  push: PreferenceInput,
  prefs: PushPreferences | undefined,
  device: DeviceInfo | undefined,
): { text: LocalizedText; contentLocale?: string } {
  const base: LocalizedText = {};
  if (push.title !== undefined) base.title = push.title;
  if (push.content !== undefined) base.content = push.content;
  const key = pickLocalized(push.localized, prefs?.locale ?? device?.locale);
  if (key === undefined) return { text: base };
  const v = push.localized![key];
  return {
    text: {
      ...base,
      ...(v.title !== undefined ? { title: v.title } : {}),
      ...(v.content !== undefined ? { content: v.content } : {}),
    },
    contentLocale: key,
  };
}

/**
 * What one device gets of a push for its owner, at `nowMs`: nothing (category off), the push now
 * in the best language, the push after the owner's quiet hours (at the window's end plus
 * `random × spreadMs`, or exactly at the end when the spread would reach past `expiresAt`), or
 * nothing because it would expire first.
 */
export function decideDelivery(
  push: PreferenceInput,
  prefs: PushPreferences | undefined,
  device: DeviceInfo | undefined,
  clock: DecisionClock,
): DeliveryDecision {
  const category = categoryOf(push);
  if (isOptedOut(prefs, category))
    return { kind: 'suppress', category, code: optedOutCode(category) };
  const { text, contentLocale } = textFor(push, prefs, device);
  const localeField = contentLocale !== undefined ? { contentLocale } : {};
  const q = prefs?.quietHours;
  if (!q || push.ignoreQuietHours) return { kind: 'send', text, ...localeField };
  const timezone = zoneFor(prefs, device);
  const endsAtMs = quietHoursEnd(clock.nowMs, q, timezone);
  if (endsAtMs === undefined) return { kind: 'send', text, ...localeField };
  const quiet: QuietWindow = { start: q.start, end: q.end, timezone, endsAtMs };
  const expires = push.expiresAtMs;
  if (expires !== undefined && endsAtMs >= expires) return { kind: 'expire', quiet };
  let untilMs =
    endsAtMs + Math.floor(Math.min(Math.max(clock.random, 0), 0.999999) * clock.spreadMs);
  if (expires !== undefined && untilMs >= expires) untilMs = endsAtMs;
  return { kind: 'defer', text, ...localeField, untilMs, quiet };
}

/** `22:00–08:00 Asia/Seoul`, for result messages and the CLI. */
export const describeQuiet = (q: Pick<QuietWindow, 'start' | 'end' | 'timezone'>) =>
  `${q.start}–${q.end} ${q.timezone}`;
