/** The source of the current time; tests pass a fake one instead of patching Date. */
export interface Clock {
  now(): Date;
}

/** The real clock. */
export const systemClock: Clock = { now: () => new Date() };
