import { AppError } from '../../http/errors';
import { parseLineEvents } from './line-webhook';

const RECEIVED_AT = new Date('2026-03-01T08:00:00.000Z');
const USER = 'U4af4980629a1b2c3d4e5f60718293a4b';

/** A LINE event from a one-to-one chat, as LINE posts it. */
function buildEvent(type: string, extra: Record<string, unknown> = {}) {
  return {
    type,
    mode: 'active',
    timestamp: 1_462_629_479_859,
    source: { type: 'user', userId: USER },
    webhookEventId: `01FZ74A0TDDPYRVKNK77XKC3ZR-${type}`,
    deliveryContext: { isRedelivery: false },
    ...extra,
  };
}

function buildMessageEvent(message: Record<string, unknown>) {
  return buildEvent('message', { replyToken: 'reply-token-1', message: { quoteToken: 'q', ...message } });
}

function parse(...events: object[]) {
  return parseLineEvents({ destination: 'Uxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx1', events }, RECEIVED_AT);
}

function validationFields(run: () => unknown): string[] {
  try {
    run();
  } catch (error) {
    if (error instanceof AppError && error.code === 'validation_failed') return error.issues.map((issue) => issue.field);
    throw error;
  }
  throw new Error('expected a validation error');
}

describe('LINE webhook events', () => {
  it('reads a text message with its reply token, valid for 50 s from our clock', () => {
    expect(parse(buildMessageEvent({ id: '468789577898262530', type: 'text', text: 'นายจ้างไม่จ่ายเงิน' }))).toEqual([
      {
        kind: 'message',
        channel: 'line',
        providerId: 'line:468789577898262530',
        address: USER,
        text: 'นายจ้างไม่จ่ายเงิน',
        media: [],
        receivedAt: RECEIVED_AT,
        replyToken: { token: 'reply-token-1', expiresAt: new Date('2026-03-01T08:00:50.000Z') },
      },
    ]);
  });

  it('reads a message without a reply token (standby mode) without one', () => {
    const event = { ...buildMessageEvent({ id: '1', type: 'text', text: 'hi' }), replyToken: undefined, mode: 'standby' };
    expect(parse(event)[0]).not.toHaveProperty('replyToken');
  });

  it.each([
    ['image', 'image/*'],
    ['video', 'video/*'],
    ['audio', 'audio/*'],
    ['file', 'application/octet-stream'],
  ])('reads a %s as media to fetch later from LINE, with no text', (type, contentType) => {
    const [event] = parse(buildMessageEvent({ id: '9001', type, contentProvider: { type: 'line' }, fileName: 'passport.jpg', fileSize: 12 }));
    expect(event).toMatchObject({ kind: 'message', providerId: 'line:9001', text: '', media: [{ contentType, url: 'line-content:9001' }] });
    expect(JSON.stringify(event)).not.toContain('passport');
  });

  it('reads media held by an external provider at its https address', () => {
    const [event] = parse(buildMessageEvent({ id: '9002', type: 'image', contentProvider: { type: 'external', originalContentUrl: 'https://cdn.example.org/a.jpg' } }));
    expect(event).toMatchObject({ media: [{ contentType: 'image/*', url: 'https://cdn.example.org/a.jpg' }] });
  });

  it('keeps a location as the words the worker sent and drops the coordinates', () => {
    const [event] = parse(buildMessageEvent({ id: '77', type: 'location', title: 'Factory gate', address: 'Mae Sot, Tak 63110', latitude: 16.7167, longitude: 98.5667 }));
    expect(event).toMatchObject({ kind: 'message', providerId: 'line:77', text: 'Factory gate\nMae Sot, Tak 63110', note: 'location', media: [] });
    expect(JSON.stringify(event)).not.toMatch(/16\.71|98\.56|latitude|longitude/);
  });

  it('keeps a location without title or address as an empty note', () => {
    const [event] = parse(buildMessageEvent({ id: '78', type: 'location', latitude: 13.75, longitude: 100.5 }));
    expect(event).toMatchObject({ text: '', note: 'location' });
    expect(JSON.stringify(event)).not.toContain('13.75');
  });

  it('describes a sticker by its first keywords, or as "sticker" when it has none', () => {
    const [withKeywords, without, messageSticker] = parse(
      buildMessageEvent({ id: '1', type: 'sticker', packageId: '446', stickerId: '1988', stickerResourceType: 'STATIC', keywords: ['Sad', 'Crying', 'Tears', 'Upset'] }),
      buildMessageEvent({ id: '2', type: 'sticker', packageId: '446', stickerId: '1989', stickerResourceType: 'STATIC' }),
      buildMessageEvent({ id: '3', type: 'sticker', packageId: '789', stickerId: '10855', stickerResourceType: 'MESSAGE', keywords: ['help'], text: 'Help me' }),
    );
    expect(withKeywords).toMatchObject({ text: 'Sad, Crying, Tears', note: 'sticker', media: [] });
    expect(without).toMatchObject({ text: 'sticker', note: 'sticker' });
    expect(messageSticker).toMatchObject({ text: 'Help me', note: 'sticker' });
  });

  it('reads a pressed button (postback) as the value it carries', () => {
    const [event] = parse(buildEvent('postback', { replyToken: 'reply-token-2', postback: { data: '2' } }));
    expect(event).toEqual({
      kind: 'message',
      channel: 'line',
      providerId: 'line:01FZ74A0TDDPYRVKNK77XKC3ZR-postback',
      address: USER,
      text: '2',
      media: [],
      receivedAt: RECEIVED_AT,
      replyToken: { token: 'reply-token-2', expiresAt: new Date('2026-03-01T08:00:50.000Z') },
    });
  });

  it('reads follow with its reply token, and unfollow', () => {
    expect(parse(buildEvent('follow', { replyToken: 'reply-token-3', follow: { isUnblocked: false } }), buildEvent('unfollow'))).toEqual([
      {
        kind: 'follow',
        channel: 'line',
        providerId: 'line:01FZ74A0TDDPYRVKNK77XKC3ZR-follow',
        address: USER,
        receivedAt: RECEIVED_AT,
        replyToken: { token: 'reply-token-3', expiresAt: new Date('2026-03-01T08:00:50.000Z') },
      },
      { kind: 'unfollow', channel: 'line', providerId: 'line:01FZ74A0TDDPYRVKNK77XKC3ZR-unfollow', address: USER, receivedAt: RECEIVED_AT },
    ]);
  });

  it('skips events from groups and rooms, even from a worker who also writes to us alone', () => {
    const group = { ...buildMessageEvent({ id: '5', type: 'text', text: 'in a group' }), source: { type: 'group', groupId: 'Cgroup', userId: USER } };
    const room = { ...buildEvent('postback', { postback: { data: '1' } }), source: { type: 'room', roomId: 'Rroom', userId: USER } };
    const alone = buildMessageEvent({ id: '6', type: 'text', text: 'alone' });
    expect(parse(group, room, alone).map((event) => event.providerId)).toEqual(['line:6']);
  });

  it('skips event and message types the hotline does not handle', () => {
    const events = parse(
      buildEvent('join'),
      buildEvent('leave'),
      buildEvent('memberJoined', { joined: { members: [] } }),
      buildEvent('beacon', { beacon: { hwid: 'd41d8cd98f', type: 'enter' } }),
      buildMessageEvent({ id: '7', type: 'some-future-type' }),
    );
    expect(events).toEqual([]);
  });

  it('accepts the empty event list LINE sends when the console verifies the webhook', () => {
    expect(parse()).toEqual([]);
  });

  it('refuses a malformed body with a 400 naming the field', () => {
    expect(validationFields(() => parseLineEvents({ events: [] }, RECEIVED_AT))).toEqual(['destination']);
    expect(validationFields(() => parseLineEvents({ destination: 'U1', events: 'none' }, RECEIVED_AT))).toEqual(['events']);
    expect(validationFields(() => parse(buildMessageEvent({ type: 'text', text: 'no id' })))).toEqual(['events.0.message.id']);
    expect(validationFields(() => parse(buildMessageEvent({ id: '1', type: 'text', text: 'ok' }), { ...buildEvent('postback'), postback: {} }))).toEqual(['events.1.postback.data']);
  });
});
