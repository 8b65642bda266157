import { PUSHES } from '../../../../functions/src/adapters/push-store';
import { OperationalError, UsageError } from '../errors';
import { historyLine, historyOf, pushView } from '../push-view';
import type { Command } from './command';

export const show: Command = {
  name: 'show',
  summary: 'one push with all its fields and its history',
  help: `Usage: fcm-push show <pushId>

Prints the push's fields (FCM token shown as a hash prefix) and its history: queued, claimed,
results, retried, cancelled, with times.`,
  options: {},
  allowPositionals: true,
  async run(args, ctx, out) {
    if (args.positionals.length !== 1) throw new UsageError('show takes exactly one push id.');
    const id = args.positionals[0]!;
    const snap = await (await ctx.firestore()).collection(PUSHES).doc(id).get();
    if (!snap.exists)
      throw new OperationalError(`push ${id} not found in ${ctx.target.projectId}.`);
    const view = pushView(snap);
    out.result(view, () => {
      const lines: string[] = [];
      for (const [key, value] of Object.entries(view)) {
        if (key === 'history') continue;
        lines.push(`${key}: ${typeof value === 'string' ? value : JSON.stringify(value)}`);
      }
      lines.push('history:');
      for (const entry of historyOf(view)) lines.push(`  ${historyLine(entry)}`);
      return lines;
    });
    return 0;
  },
};
