/**
 * `npm run gen:env`: writes functions/.env, every param's default from
 * functions/src/config/defaults.ts (and the example-checks switch, off).
 *
 * firebase-tools needs a dotenv value for every param in `firebase deploy --non-interactive`
 * (its resolveParams does not fall back to a param's default without a prompt), so the committed
 * functions/.env makes a CI deploy work; functions/.env.<project-id> overrides it per project.
 * test/unit/config/env-file.test.ts fails when the file and defaults.ts differ.
 */
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import {
  EXAMPLE_CHECKS_SWITCH,
  PARAM_NAMES,
  PARAM_SPECS,
  describeAllowed,
  type ParamSpec,
} from '../../functions/src/config/defaults';
import { FUNCTIONS_DIR, LOCAL_PROJECT_ID } from '../local-env/local-env';

export const ENV_FILE = join(FUNCTIONS_DIR, '.env');

function comment(spec: ParamSpec): string {
  return `# ${spec.description}
# Allowed: ${describeAllowed(spec)}.`;
}

/** The text of functions/.env, derived from defaults.ts alone. */
export function envFileText(): string {
  const lines = [
    '# Every param of the functions at its default. GENERATED from functions/src/config/defaults.ts',
    '# by `npm run gen:env`: do not edit (a unit test fails when the two differ).',
    '#',
    '# firebase-tools loads functions/.env, then functions/.env.<project-id> (its values win), and in',
    '# the emulators functions/.env.local last. Put your project overrides in .env.<project-id>.',
    '# A value for every param lets `firebase deploy --non-interactive` run without prompting.',
    '',
  ];
  for (const name of PARAM_NAMES) {
    lines.push(comment(PARAM_SPECS[name]), `${name}=${PARAM_SPECS[name].default}`, '');
  }
  lines.push(
    `# ${EXAMPLE_CHECKS_SWITCH.description}`,
    `# Not a param (params cannot choose exports); functions/.env.${LOCAL_PROJECT_ID} turns it on locally.`,
    `${EXAMPLE_CHECKS_SWITCH.name}=${EXAMPLE_CHECKS_SWITCH.default}`,
  );
  return lines.join('\n') + '\n';
}

if (require.main === module) {
  writeFileSync(ENV_FILE, envFileText());
  console.log(`wrote ${ENV_FILE}`);
}
