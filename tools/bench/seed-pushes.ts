import { planPushes } from '../../functions/src/core/push';
import type { PushStore } from '../../functions/src/adapters/push-store';

/** Writes `count` due pushes, each to its own token, through the real store (BulkWriter). */
export async function seedDuePushes(
  pushes: PushStore,
  count: number,
  nowMs: number,
  prefix = 'seed',
): Promise<string[]> {
  const ids: string[] = [];
  const chunk = 2000;
  for (let start = 0; start < count; start += chunk) {
    const planned = planPushes(
      Array.from({ length: Math.min(chunk, count - start) }, (_, i) => {
        const token = `${prefix}-token-${start + i}`;
        return {
          request: { to: { token }, title: 'Seeded', content: `push ${start + i}` },
          targets: [{ token }],
          index: start + i,
        };
      }),
      { eventId: `${prefix}-event`, nowMs, source: { path: 'seed', check: 'seed' } },
    );
    await pushes.createAll(planned, nowMs);
    ids.push(...planned.map((p) => p.id));
  }
  return ids;
}
