import type { Clock } from '../../src/clock';

/** A clock that moves only when told to. */
export interface FakeClock extends Clock {
  advance(milliseconds: number): void;
  set(date: Date | string): void;
}

/** A fake clock starting at `start`. */
export function createFakeClock(start: Date | string = '2026-11-27T08:00:00Z'): FakeClock {
  let now = new Date(start).getTime();
  return {
    now: () => new Date(now),
    advance: (milliseconds) => {
      now += milliseconds;
    },
    set: (date) => {
      now = new Date(date).getTime();
    },
  };
}
