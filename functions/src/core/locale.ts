/**
 * Locale and time-zone values as devices send them, normalised to one canonical form or refused
 * with a reason. Pure and shared: token registration stores what this returns, and preference
 * work (quiet hours, localised content) reads the same forms.
 *
 * Devices send many spellings of the same thing, and none of them should cost a user their pushes:
 * - iOS `Locale.current.identifier` gives ICU identifiers: `en_US`, `zh-Hans_CN`, and with a
 *   region or calendar override `en_US@rg=krzzzz` or `ja_JP@calendar=japanese`;
 * - Android `Locale.toString()` gives `en_US`, Java `toLanguageTag()` gives `en-US`;
 * - POSIX environments give `en_US.UTF-8`;
 * - browsers give BCP 47 (`navigator.language`), sometimes in any letter case.
 * The canonical form is the BCP 47 tag `Intl.getCanonicalLocales` returns (`en-US`,
 * `zh-Hant-TW`, `ja-JP-u-ca-japanese`), and for time zones the IANA name with the case
 * `Intl.DateTimeFormat` resolves it to (`Asia/Seoul`).
 */

export type Normalised = { ok: true; value: string } | { ok: false; reason: string };

/** Longest canonical tag kept whole; longer tags are cut to language-script-region. */
export const MAX_LOCALE_LENGTH = 64;
/** Longest IANA name is 32 characters (America/Argentina/ComodRivadavia); room for more. */
export const MAX_TIME_ZONE_LENGTH = 64;
/** Anything longer is not a locale or a time zone whatever it contains: refused unread. */
const MAX_RAW_LENGTH = 256;

function printable(raw: unknown, what: string): Normalised {
  if (typeof raw !== 'string') return { ok: false, reason: `${what} must be a string` };
  const value = raw.trim();
  if (value === '') return { ok: false, reason: `${what} is empty` };
  if (value.length > MAX_RAW_LENGTH) return { ok: false, reason: `${what} is too long` };
  if (/\p{Cc}/u.test(value)) return { ok: false, reason: `${what} has control characters` };
  return { ok: true, value };
}

/**
 * `en_US@rg=krzzzz` -> `en-US`, `EN-us` -> `en-US`, `en_US.UTF-8` -> `en-US`,
 * `zh-Hans_CN` -> `zh-Hans-CN`; a tag over MAX_LOCALE_LENGTH keeps its language, script and
 * region. Refused: anything that is not a BCP 47 tag once those spellings are undone.
 */
export function normaliseLocale(raw: unknown): Normalised {
  const text = printable(raw, 'locale');
  if (!text.ok) return text;
  const tag = text.value
    .replace(/@.*$/, '') // ICU keywords (iOS region/calendar overrides)
    .replace(/\.[\w-]*$/, '') // POSIX charset: en_US.UTF-8
    .replace(/_/g, '-');
  let canonical: string;
  try {
    const [first] = Intl.getCanonicalLocales(tag);
    if (first === undefined) throw new RangeError('empty');
    canonical = first;
  } catch {
    return { ok: false, reason: `locale "${text.value}" is not a BCP 47 language tag` };
  }
  if (canonical.length > MAX_LOCALE_LENGTH) canonical = new Intl.Locale(canonical).baseName;
  if (canonical.length > MAX_LOCALE_LENGTH) {
    return { ok: false, reason: `locale "${text.value}" is longer than ${MAX_LOCALE_LENGTH}` };
  }
  return { ok: true, value: canonical };
}

/**
 * An IANA time zone in its canonical letter case (`asia/seoul` -> `Asia/Seoul`, `etc/utc` ->
 * `UTC`). Refused: anything the runtime's time-zone database does not know (offsets such as
 * `+09:00` and abbreviations such as `KST` included: they do not follow daylight saving rules).
 */
export function normaliseTimeZone(raw: unknown): Normalised {
  const text = printable(raw, 'timezone');
  if (!text.ok) return text;
  if (text.value.length > MAX_TIME_ZONE_LENGTH) {
    return { ok: false, reason: `timezone is longer than ${MAX_TIME_ZONE_LENGTH} characters` };
  }
  if (!/^[A-Za-z]/.test(text.value)) {
    return { ok: false, reason: `timezone "${text.value}" is not an IANA time zone` };
  }
  try {
    const resolved = new Intl.DateTimeFormat('en-US', { timeZone: text.value }).resolvedOptions()
      .timeZone;
    return { ok: true, value: resolved };
  } catch {
    return { ok: false, reason: `timezone "${text.value}" is not an IANA time zone` };
  }
}
