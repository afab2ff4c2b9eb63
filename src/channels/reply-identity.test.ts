import { replyRouteOf } from './reply-identity';

// Where a message to a worker goes, and why it cannot: the rules a caseworker's reply and the
// hotline's own notices (a refused erasure request) share.

const NOW = new Date('2026-12-03T09:00:00Z');
const HOUR = 3_600_000;
const identity = (id: string, channel: string, lastHoursAgo: number | null, isOptedOut = false) => ({
  id, channel, isOptedOut, lastMessageAt: lastHoursAgo === null ? null : new Date(NOW.getTime() - lastHoursAgo * HOUR),
});

describe('replyRouteOf', () => {
  it('sends on the chat identity the worker used last, unless staff picked another', () => {
    const identities = [identity('sms', 'sms', 5), identity('line', 'line', 1), identity('web', 'web', 0)];
    expect(replyRouteOf(identities, null, NOW, false)).toEqual({ target: identities[1], holding: false });
    expect(replyRouteOf(identities, 'sms', NOW, false)).toEqual({ target: identities[0], holding: false });
  });

  it('holds a WhatsApp message behind the news template outside the 24-hour window, or refuses it without the template', () => {
    const identities = [identity('wa', 'whatsapp', 30)];
    expect(replyRouteOf(identities, null, NOW, true)).toEqual({ target: identities[0], holding: true });
    expect(replyRouteOf(identities, null, NOW, false)).toEqual({ unreachable: 'no_template' });
    expect(replyRouteOf([identity('wa', 'whatsapp', 2)], null, NOW, false)).toEqual({ target: identity('wa', 'whatsapp', 2), holding: false });
  });

  it('says why nothing can go: Messenger outside its window, an opted-out worker, no chat identity at all', () => {
    expect(replyRouteOf([identity('fb', 'messenger', 25)], null, NOW, true)).toEqual({ unreachable: 'window_closed' });
    expect(replyRouteOf([identity('sms', 'sms', 1, true)], null, NOW, true)).toEqual({ unreachable: 'opted_out' });
    expect(replyRouteOf([identity('web', 'web', 1), identity('voice', 'voice', 1)], null, NOW, true)).toEqual({ unreachable: 'no_channel' });
    expect(replyRouteOf([], null, NOW, true)).toEqual({ unreachable: 'no_channel' });
  });
});
