import { UsageError } from '../errors';
import { createOperatorStore } from '../operator-store';
import { reportChanges } from './changes';
import type { Command } from './command';

export const cancel: Command = {
  name: 'cancel',
  summary: 'cancel pending pushes (not yet claimed by a drain)',
  help: `Usage: fcm-push cancel <pushId>...

Cancels each push that is still pending. The write is conditional on the document not having
changed since it was read, so a push a drain claimed meanwhile is sent, not cancelled under it;
such a push, and any push not pending, is reported and left alone (exit code 1).`,
  options: {},
  allowPositionals: true,
  async run(args, ctx, out) {
    if (args.positionals.length === 0) throw new UsageError('cancel needs at least one push id.');
    const store = createOperatorStore(await ctx.firestore(), ctx.operator);
    const snaps = await store.getAll([...new Set(args.positionals)]);
    return reportChanges(out, 'cancelled', await store.cancel(snaps, ctx.now()));
  },
};
