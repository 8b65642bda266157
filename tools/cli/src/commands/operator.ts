import { setOperatorClaim } from '../operator-claims';
import { UsageError } from '../errors';
import type { Command } from './command';

const REFRESH =
  "It applies after the user's ID token refreshes: at most an hour, or at once when they sign " +
  'out and in (the console can force it with getIdToken(true)).';

export const operator: Command = {
  name: 'operator',
  summary: 'grant or revoke the operator claim (who may use the operator console)',
  help: `Usage: fcm-push operator grant <uid>
       fcm-push operator revoke <uid>

Sets or removes the custom claim operator: true on a Firebase Auth user, keeping the user's
other custom claims. Operators may read notifications, pushes (full FCM tokens included),
the statistics and users' push preferences through the security rules, and call the operator
callables (retry, cancel, devices, test send). A change applies after the user's ID token
refreshes (at most an hour; at once after signing out and in, or getIdToken(true)).

Local mode uses the Auth emulator (FIREBASE_AUTH_EMULATOR_HOST, else firebase.json's port);
--project <id> changes the real project's users (Application Default Credentials with
Firebase Authentication Admin rights).`,
  options: {},
  allowPositionals: true,
  async run(args, ctx, out) {
    const [action, uid, ...rest] = args.positionals;
    if ((action !== 'grant' && action !== 'revoke') || !uid || rest.length > 0) {
      throw new UsageError('operator takes grant <uid> or revoke <uid>.');
    }
    const on = action === 'grant';
    const change = await setOperatorClaim(await ctx.auth(), uid, on);
    const project = ctx.target.projectId;
    out.result({ project, ...change }, () => [
      change.changed
        ? `${on ? 'granted' : 'revoked'}: ${uid} is ${on ? 'now' : 'no longer'} an operator of ${project}.`
        : `unchanged: ${uid} ${on ? 'already is' : 'is not'} an operator of ${project}.`,
      ...(change.changed ? [REFRESH] : []),
    ]);
    return 0;
  },
};
