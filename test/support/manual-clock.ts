/** A clock tests move by hand: every component reads it, nobody sleeps. */
export function manualClock(startMs = Date.now()) {
  let t = startMs;
  return {
    now: () => t,
    advance(ms: number) {
      t += ms;
    },
    set(ms: number) {
      t = ms;
    },
  };
}

export type ManualClock = ReturnType<typeof manualClock>;
