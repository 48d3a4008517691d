/** Time as the core sees it: injected so tests can drive expiry, backoff and schedules. */
export interface Clock {
  /** Milliseconds since the Unix epoch. */
  now(): number;
}

export const systemClock: Clock = { now: () => Date.now() };
