/**
 * Which of a user's other devices to drop so that, with the one being saved, at most `cap`
 * remain: the least recently updated go first. Ties break on id so the choice is deterministic.
 */
export interface DeviceStamp {
  id: string;
  updatedAtMs: number;
}

export function devicesBeyondCap(others: readonly DeviceStamp[], cap: number): string[] {
  const room = Math.max(cap - 1, 0);
  if (others.length <= room) return [];
  const newestFirst = [...others].sort(
    (a, b) => b.updatedAtMs - a.updatedAtMs || a.id.localeCompare(b.id),
  );
  return newestFirst.slice(room).map((d) => d.id);
}
