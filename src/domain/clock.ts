// Time is a dependency so tests can move it (secret expiry, idempotency retention, simulated delays).
export interface Clock {
  /** Unix milliseconds. */
  nowMs(): number;
}

export const systemClock: Clock = { nowMs: () => Date.now() };

export function nowSec(clock: Clock): number {
  return Math.floor(clock.nowMs() / 1000);
}

/** A clock that only moves when told; for tests. */
export function manualClock(startMs = Date.now()): Clock & { advance(ms: number): void; set(ms: number): void } {
  let t = startMs;
  return {
    nowMs: () => t,
    advance: (ms) => {
      t += ms;
    },
    set: (ms) => {
      t = ms;
    },
  };
}
