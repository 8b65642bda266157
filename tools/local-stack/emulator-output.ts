/**
 * Which lines of firebase-tools' output deserve a place on the `npm start` screen. Everything goes
 * to .tmp/emulators.log; the screen gets errors, unexpected warnings, and warnings/errors that the
 * functions themselves log (structured `firebase-functions/logger` entries with a severity).
 */

// Warnings firebase-tools prints on every start of this setup; they tell the user nothing.
const EXPECTED_WARNINGS = [
  /firestore: Env variable override detected/, // the Java compatibility path, described already
  /The Emulator UI is not starting/, // firebase.json disables the UI
  /The following emulators are not running/, // a demo-* project: nothing reaches production anyway
  /Your requested "node" version "22" doesn't match your global version/, // README: 20 works
  /Unable to fetch the latest version of firebase-functions|outdated version of firebase-functions/, // offline
];

const SERIOUS = new Set(['WARNING', 'ERROR', 'CRITICAL', 'ALERT', 'EMERGENCY']);

// eslint-disable-next-line no-control-regex
const ANSI = /\u001b\[[0-9;]*m/g;

export function stripAnsi(line: string): string {
  return line.replace(ANSI, '');
}

function clip(s: string, n = 240): string {
  return s.length > n ? `${s.slice(0, n - 1)}…` : s;
}

/** A function's structured log line (`>  {"severity":"ERROR","message":…}`), when serious. */
function seriousFunctionLog(line: string): string | undefined {
  const m = /^>\s+(\{.*\})\s*$/.exec(line);
  if (!m) return undefined;
  let entry: Record<string, unknown>;
  try {
    entry = JSON.parse(m[1]) as Record<string, unknown>;
  } catch {
    return undefined;
  }
  const severity = typeof entry.severity === 'string' ? entry.severity : '';
  if (!SERIOUS.has(severity)) return undefined;
  const { severity: _s, message, ...fields } = entry;
  void _s;
  const rest = Object.keys(fields).length ? ` ${JSON.stringify(fields)}` : '';
  return clip(`function ${severity.toLowerCase()}: ${String(message ?? '')}${rest}`);
}

/** The text to show for one line of firebase-tools output, or undefined to keep it in the log. */
export function surfaceLine(raw: string): string | undefined {
  const line = stripAnsi(raw).trimEnd();
  const fromFunction = seriousFunctionLog(line);
  if (fromFunction) return fromFunction;
  if (/^(!!|✖|⚠)\s/.test(line) || /^Error:/.test(line)) {
    if (EXPECTED_WARNINGS.some((re) => re.test(line))) return undefined;
    return clip(`emulators: ${line}`);
  }
  return undefined;
}
