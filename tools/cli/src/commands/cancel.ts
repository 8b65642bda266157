import { UsageError } from '../errors';
import { reportChanges } from './changes';
import type { Command } from './command';

export const cancel: Command = {
  name: 'cancel',
  summary: 'cancel pending notifications or pushes (not yet claimed by a drain)',
  help: `Usage: fcm-push cancel <id>...

Each id is a notification (one request for a user, not yet expanded into device deliveries) or
a push (a device delivery, or a token, topic or condition push). Cancels each one that is still
pending. The write is conditional on the document not having changed since it was read, so a
notification a drain is expanding, or a push it is sending, is left to the drain and not
cancelled under it; such a document, and any that is not pending, is reported and left alone
(exit code 1). An expanded notification's deliveries are cancelled by their own ids (fcm-push
show <id> lists them).`,
  options: {},
  allowPositionals: true,
  async run(args, ctx, out) {
    if (args.positionals.length === 0) throw new UsageError('cancel needs at least one id.');
    const actions = await ctx.actions();
    const snaps = await actions.lookUp([...new Set(args.positionals)]);
    return reportChanges(out, 'cancelled', await actions.cancel(snaps, ctx.now()));
  },
};
