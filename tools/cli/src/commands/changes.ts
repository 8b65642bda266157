import type { ChangeOutcome } from '../../../../functions/src/adapters/operator-actions';
import type { Output } from '../output';

/** Prints retry/cancel outcomes; answers 1 when any document was not changed. */
export function reportChanges(
  out: Output,
  verb: 'retried' | 'cancelled',
  outcomes: readonly ChangeOutcome[],
  extra: Record<string, unknown> = {},
): number {
  const changed = outcomes.filter((o) => o.ok).length;
  const notChanged = outcomes.length - changed;
  out.result({ [verb]: changed, notChanged, ...extra, items: outcomes }, () => [
    ...outcomes.map((o) =>
      o.ok
        ? `${o.id}  ${o.kind} ${verb} (was ${o.from})${o.notes.map((n) => `; ${n}`).join('')}`
        : `${o.id}  not ${verb}: ${o.message}`,
    ),
    `${changed} ${verb}, ${notChanged} not ${verb}`,
  ]);
  return notChanged > 0 ? 1 : 0;
}
