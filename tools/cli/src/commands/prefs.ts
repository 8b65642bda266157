import {
  answerOf,
  describeQuiet,
  quietHoursEnd,
  zoneFor,
} from '../../../../functions/src/core/preferences';
import { tokenForLog } from '../../../../functions/src/core/token-id';
import { onlyPositional } from '../args';
import type { Command } from './command';

export const prefs: Command = {
  name: 'prefs',
  summary: "a user's push preferences, and what they mean for each device now",
  help: `Usage: fcm-push prefs <uid>

Prints pushPreferences/<uid> as setPushPreferences stored it: the categories the user turned
off (a category not listed is on), quiet hours, time zone and language. Then each of the user's
devices (token as a hash prefix) with its registered locale and time zone, the zone its quiet
hours are read in (the preference's, else the device's, else UTC), and whether a push sent now
would wait, and until when (before the random spread of QUIET_HOURS_SPREAD_MINUTES).`,
  options: {},
  allowPositionals: true,
  async run(args, ctx, out) {
    const uid = onlyPositional(args, 'prefs', 'uid');
    const stores = await ctx.stores();
    const [stored, devices] = await Promise.all([
      stores.preferences.get(uid),
      stores.tokens.listByUser(uid),
    ]);
    const nowMs = ctx.now();
    const answer = answerOf(stored);
    const rows = devices.map((d) => {
      const zone = zoneFor(stored, d);
      const endsAtMs = answer.quietHours
        ? quietHoursEnd(nowMs, answer.quietHours, zone)
        : undefined;
      return {
        token: tokenForLog(d.token),
        platform: d.platform,
        locale: d.locale ?? null,
        timezone: d.timezone ?? null,
        language: stored?.locale ?? d.locale ?? null,
        quietHoursZone: zone,
        quietNow: endsAtMs !== undefined,
        ...(endsAtMs !== undefined ? { quietUntil: new Date(endsAtMs).toISOString() } : {}),
      };
    });
    const off = Object.entries(answer.categories)
      .filter(([, on]) => !on)
      .map(([c]) => c);
    const value = { uid, set: stored !== undefined, preferences: answer, devices: rows };
    out.result(value, () => [
      `user ${uid}${stored ? '' : ' (no preferences set: every category on, no quiet hours)'}`,
      `categories off: ${off.length ? off.join(', ') : 'none'}`,
      `categories on: ${
        Object.entries(answer.categories)
          .filter(([, on]) => on)
          .map(([c]) => c)
          .join(', ') || '(every category not listed above)'
      }`,
      `quiet hours: ${
        answer.quietHours
          ? `${answer.quietHours.start}–${answer.quietHours.end} in ${
              answer.timezone ?? "each device's time zone (UTC if it has none)"
            }`
          : 'none'
      }`,
      `language: ${answer.locale ?? "each device's locale"}`,
      devices.length ? `devices (${devices.length}):` : 'devices: none registered',
      ...rows.map((r) =>
        [
          `  ${r.token}`,
          r.platform,
          `locale ${r.locale ?? '-'}`,
          `zone ${r.timezone ?? '-'}`,
          r.quietNow && answer.quietHours
            ? `quiet now (${describeQuiet({ ...answer.quietHours, timezone: r.quietHoursZone })}) until ${r.quietUntil}`
            : 'not quiet now',
        ].join('  '),
      ),
    ]);
    return 0;
  },
};
