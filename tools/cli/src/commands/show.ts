import { kindOf } from '../../../../functions/src/adapters/operator-actions';
import { onlyPositional } from '../args';
import { OperationalError } from '../errors';
import {
  historyLine,
  historyOf,
  preferenceNote,
  pushView,
  resultCode,
  targetLabel,
  type Plain,
} from '../push-view';
import type { Command } from './command';

/** A notification's delivery in one line's worth of fields. */
function deliveryRow(v: Plain) {
  return {
    id: String(v.id),
    status: v.status,
    target: targetLabel(v),
    attempts: v.attempts ?? 0,
    ...(resultCode(v) ? { code: resultCode(v) } : {}),
    ...(v.sentAt !== undefined ? { sentAt: v.sentAt } : {}),
    ...(v.status === 'pending' && v.nextAttemptAt !== undefined ? { due: v.nextAttemptAt } : {}),
    ...(typeof v.contentLocale === 'string' ? { contentLocale: v.contentLocale } : {}),
  };
}

function fieldLines(view: Plain, skip: readonly string[]): string[] {
  const lines: string[] = [];
  for (const [key, value] of Object.entries(view)) {
    if (skip.includes(key)) continue;
    lines.push(`${key}: ${typeof value === 'string' ? value : JSON.stringify(value)}`);
  }
  return lines;
}

export const show: Command = {
  name: 'show',
  summary: 'one notification or push with its fields and history',
  help: `Usage: fcm-push show <id>

<id> is a notification (one request for a user) or a push (a device delivery, or a token,
topic or condition push). Prints its fields (FCM tokens shown as a hash prefix), its category,
why the user's preferences held it back if they did ("why": the category the user turned off,
the quiet hours it waits for or expired in), and its history: queued, claimed, deferred,
results, retried, cancelled, with times. A notification also lists its device deliveries with
their status, result, due time and language; a delivery names its notificationId.`,
  options: {},
  allowPositionals: true,
  async run(args, ctx, out) {
    const id = onlyPositional(args, 'show', 'id');
    const actions = await ctx.actions();
    const [snap] = await actions.lookUp([id]);
    if (!snap?.exists) {
      throw new OperationalError(
        `${id} not found in ${ctx.target.projectId}: no notification or push has this id.`,
      );
    }
    const kind = kindOf(snap);
    // id first, then kind, then the document's fields.
    const view: Plain = Object.assign({ id, kind }, pushView(snap));
    // The user's preferences at work: the category turned off, or the quiet hours it waits for.
    const why = preferenceNote(view);
    if (why) view.why = why;
    if (kind === 'notification') {
      const deliveries = (await actions.deliveriesOf(snap)).map((d) => deliveryRow(pushView(d)));
      view.deliveries = deliveries;
    }
    out.result(view, () => {
      const lines = fieldLines(view, ['history', 'deliveries', 'deliveryIds']);
      if (kind === 'notification') {
        const deliveries = view.deliveries as Array<ReturnType<typeof deliveryRow>>;
        if (deliveries.length === 0) {
          lines.push(
            view.status === 'pending' || view.status === 'expanding'
              ? 'deliveries: none yet (created when it is due, one per device the user has then)'
              : 'deliveries: none',
          );
        } else {
          lines.push(`deliveries (${deliveries.length}):`);
          for (const d of deliveries) {
            lines.push(
              `  ${[
                d.id,
                String(d.status).padEnd(9),
                d.target,
                `attempts=${d.attempts}`,
                d.code ?? '',
                d.due ? `due ${String(d.due)}` : '',
                d.contentLocale ? `text ${d.contentLocale}` : '',
              ]
                .filter((p) => p !== '')
                .join('  ')}`,
            );
          }
        }
      }
      lines.push('history:');
      for (const entry of historyOf(view)) lines.push(`  ${historyLine(entry)}`);
      return lines;
    });
    return 0;
  },
};
