import { callbackDueAt, readSafeTime } from './callback-window';

// The end of a worker's safe window, in the zone where they are.

describe('the safe window of a call-back', () => {
  const bangkok = 'Asia/Bangkok';

  it('ends the same day when the window is still ahead or open', () => {
    // 10:00 in Bangkok: the morning ends at 12:00, the afternoon at 18:00, the evening at 22:00.
    const asked = new Date('2026-12-02T03:00:00Z');
    expect(callbackDueAt(asked, 'morning', bangkok).toISOString()).toBe('2026-12-02T05:00:00.000Z');
    expect(callbackDueAt(asked, 'afternoon', bangkok).toISOString()).toBe('2026-12-02T11:00:00.000Z');
    expect(callbackDueAt(asked, 'evening', bangkok).toISOString()).toBe('2026-12-02T15:00:00.000Z');
  });

  it('moves to the next day once today\'s window is over', () => {
    // 14:00 in Bangkok: the morning is gone, so tomorrow at 12:00.
    expect(callbackDueAt(new Date('2026-12-02T07:00:00Z'), 'morning', bangkok).toISOString()).toBe('2026-12-03T05:00:00.000Z');
    // 23:30 in Bangkok (16:30 UTC): the evening is gone.
    expect(callbackDueAt(new Date('2026-12-02T16:30:00Z'), 'evening', bangkok).toISOString()).toBe('2026-12-03T15:00:00.000Z');
  });

  it('reads the window in the given zone: Yangon keeps half an hour less than Bangkok', () => {
    expect(callbackDueAt(new Date('2026-12-02T03:00:00Z'), 'morning', 'Asia/Yangon').toISOString()).toBe('2026-12-02T05:30:00.000Z');
  });

  it('gives "any time" a day, and reads a missing or unknown time as any time', () => {
    expect(callbackDueAt(new Date('2026-12-02T03:00:00Z'), 'any', bangkok).toISOString()).toBe('2026-12-03T03:00:00.000Z');
    expect(readSafeTime(null)).toBe('any');
    expect(readSafeTime('midnight')).toBe('any');
    expect(readSafeTime('evening')).toBe('evening');
  });
});
