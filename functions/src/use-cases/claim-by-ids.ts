import type { ClaimingStore } from './ports';

/**
 * The immediate paths (the check trigger hands over what it just queued): claim the given
 * documents if they still exist and are due. The claim's time is read after they are read.
 */
export async function claimByIds<R, C>(
  store: ClaimingStore<R, C>,
  ids: readonly string[],
  now: () => number,
  lease: { leaseMs: number; runId: string },
): Promise<C> {
  const records = await store.getAll(ids);
  return store.claim(records, { nowMs: now(), leaseMs: lease.leaseMs, runId: lease.runId });
}
