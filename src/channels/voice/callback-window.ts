// When a call-back is due. A worker who asked to be called back said when it is safe: morning
// (06–12), afternoon (12–18), evening (18–22) in the zone where they are, or any time. A call-back
// not made by the end of the first such window after their call is flagged to coordinators; "any
// time" gives a day.

/** The safe times a caller can choose. */
export const SAFE_TIMES = ['morning', 'afternoon', 'evening', 'any'] as const;
export type SafeTime = (typeof SAFE_TIMES)[number];

/** Each window's local hours, [from, to). */
export const SAFE_WINDOWS: Record<Exclude<SafeTime, 'any'>, { from: number; to: number }> = {
  morning: { from: 6, to: 12 },
  afternoon: { from: 12, to: 18 },
  evening: { from: 18, to: 22 },
};

const HOUR = 3_600_000;
const DAY = 24 * HOUR;

/** A stored safe time, read: an unknown or missing one counts as "any time". */
export function readSafeTime(value: string | null | undefined): SafeTime {
  return (SAFE_TIMES as readonly string[]).includes(value ?? '') ? (value as SafeTime) : 'any';
}

/** The zone's offset from UTC at an instant, in milliseconds. */
function offsetAt(instant: Date, timeZone: string): number {
  const parts = new Intl.DateTimeFormat('en-US', {
    timeZone, hourCycle: 'h23', year: 'numeric', month: '2-digit', day: '2-digit', hour: '2-digit', minute: '2-digit', second: '2-digit',
  }).formatToParts(instant);
  const part = (type: string) => Number(parts.find((item) => item.type === type)?.value ?? 0);
  const asUtc = Date.UTC(part('year'), part('month') - 1, part('day'), part('hour'), part('minute'), part('second'));
  return asUtc - Math.floor(instant.getTime() / 1000) * 1000;
}

/** The instant of a local wall-clock hour on the local day of `day` (midnight-based), in the zone. */
function localHour(localMidnightUtc: number, hour: number, timeZone: string): Date {
  const guess = localMidnightUtc + hour * HOUR;
  // Two passes settle the offset even across a change of clocks.
  const first = guess - offsetAt(new Date(guess), timeZone);
  return new Date(guess - offsetAt(new Date(first), timeZone));
}

/** The end of the first safe window that ends after `askedAt`, in the worker's zone. */
export function callbackDueAt(askedAt: Date, safeTime: SafeTime, timeZone: string): Date {
  if (safeTime === 'any') return new Date(askedAt.getTime() + DAY);
  const offset = offsetAt(askedAt, timeZone);
  const local = new Date(askedAt.getTime() + offset);
  const midnight = Date.UTC(local.getUTCFullYear(), local.getUTCMonth(), local.getUTCDate());
  const today = localHour(midnight, SAFE_WINDOWS[safeTime].to, timeZone);
  return today.getTime() > askedAt.getTime() ? today : localHour(midnight + DAY, SAFE_WINDOWS[safeTime].to, timeZone);
}
