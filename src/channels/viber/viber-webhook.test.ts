import { AppError } from '../../http/errors';
import { parseViberJson } from './viber-signature';
import { parseViberEvent } from './viber-webhook';

const AT = new Date('2026-11-27T08:00:00Z');
const WORKER = '01234567890A=';

/** A Viber `message` event as Viber posts it, with the personal fields we must drop. */
function messageEvent(message: Record<string, unknown>, token = '4912661846655238145') {
  return {
    event: 'message',
    timestamp: 1_764_230_400_000,
    chat_hostname: 'SN-376_',
    message_token: token,
    sender: { id: WORKER, name: 'Aung Aung', avatar: 'https://media.viber.example/avatar.jpg', language: 'my', country: 'TH', api_version: 10 },
    message,
    silent: false,
  };
}

function only(body: unknown) {
  const events = parseViberEvent(body, AT);
  expect(events).toHaveLength(1);
  return events[0];
}

describe('parseViberEvent', () => {
  it('turns a text message into an inbound message, keyed by the message token', () => {
    expect(only(messageEvent({ type: 'text', text: 'My boss keeps my passport' }))).toEqual({
      kind: 'message', channel: 'viber', providerId: 'viber:4912661846655238145', address: WORKER, text: 'My boss keeps my passport', media: [], receivedAt: AT,
    });
  });

  it('keeps neither the name, the avatar nor the country of the worker', () => {
    const serialised = JSON.stringify(only(messageEvent({ type: 'text', text: 'hello' })));
    expect(serialised).not.toContain('Aung');
    expect(serialised).not.toContain('avatar');
    expect(serialised).not.toContain('"TH"');
    expect(serialised).not.toContain('"my"');
  });

  it('keeps all the digits of a 64-bit message token parsed from the raw body', () => {
    const raw = JSON.stringify(messageEvent({ type: 'text', text: 'hi' }, 'X')).replace('"X"', '5741311803571721087');
    expect(only(parseViberJson(raw))).toMatchObject({ providerId: 'viber:5741311803571721087' });
  });

  it('does not touch "message_token" written inside a worker\'s text', () => {
    const raw = JSON.stringify(messageEvent({ type: 'text', text: '"message_token": 12' }, 'X')).replace('"X"', '77');
    expect(only(parseViberJson(raw))).toMatchObject({ providerId: 'viber:77', text: '"message_token": 12' });
  });

  it.each([
    ['picture', 'image/jpeg'],
    ['video', 'video/mp4'],
    ['file', 'application/octet-stream'],
  ])('turns a %s into media with an https URL, fetched later', (type, contentType) => {
    const url = 'https://dl-media.viber.com/5/share/2/long/vibes/icon/image/0x0/abc.jpg';
    expect(only(messageEvent({ type, media: url, file_name: 'contract.pdf', size: 1024 }))).toMatchObject({ text: '', media: [{ contentType, url }] });
  });

  it('keeps the caption of a picture as its text', () => {
    expect(only(messageEvent({ type: 'picture', text: 'my payslip', media: 'https://dl-media.viber.com/a.jpg' }))).toMatchObject({ text: 'my payslip' });
  });

  it.each([['file:///etc/passwd'], ['not a url'], ['javascript:alert(1)']])('drops media whose URL is not http(s) (%s)', (media) => {
    expect(only(messageEvent({ type: 'picture', media }))).toMatchObject({ media: [] });
  });

  it('keeps a plain-http media URL for the fetch to refuse (and record) unless Viber itself is reached over http', () => {
    expect(only(messageEvent({ type: 'picture', media: 'http://dl-media.viber.com/a.jpg' }))).toMatchObject({ media: [{ url: 'http://dl-media.viber.com/a.jpg' }] });
  });

  it('turns a sticker into a sticker note', () => {
    expect(only(messageEvent({ type: 'sticker', sticker_id: 46105, media: 'https://viber.example/sticker.png' }))).toMatchObject({ text: 'sticker', note: 'sticker', media: [] });
  });

  it('keeps that a location was sent but not where', () => {
    const event = only(messageEvent({ type: 'location', location: { lat: 16.7167, lon: 98.5667 } }));
    expect(event).toMatchObject({ text: '', note: 'location', media: [] });
    expect(JSON.stringify(event)).not.toMatch(/16\.71|98\.56|lat|lon/);
  });

  it('keeps the address of a shared link', () => {
    expect(only(messageEvent({ type: 'url', media: 'https://example.org/job-offer' }))).toMatchObject({ text: 'https://example.org/job-offer' });
  });

  it('keeps nothing of a shared contact (a third person\'s name and number)', () => {
    const event = only(messageEvent({ type: 'contact', contact: { name: 'Khun Somchai', phone_number: '+66812345678' } }));
    expect(event).toMatchObject({ text: '', media: [] });
    expect(JSON.stringify(event)).not.toMatch(/Somchai|66812345678/);
  });

  it('turns conversation_started into a follow, without the name', () => {
    const event = only({
      event: 'conversation_started', timestamp: 1, message_token: 4912661846655238145n.toString(), type: 'open', context: 'qr',
      user: { id: WORKER, name: 'Aung Aung', avatar: 'https://a', language: 'my', country: 'TH', api_version: 10 }, subscribed: false,
    });
    expect(event).toEqual({ kind: 'follow', channel: 'viber', providerId: 'viber:4912661846655238145', address: WORKER, receivedAt: AT });
  });

  it('turns unsubscribed into an unfollow, one per user and moment', () => {
    expect(only({ event: 'unsubscribed', timestamp: 1_764_230_400_000, user_id: WORKER, message_token: 1 })).toEqual({
      kind: 'unfollow', channel: 'viber', providerId: `viber:unsub:${WORKER}:1764230400000`, address: WORKER, receivedAt: AT,
    });
  });

  it.each([
    ['delivered', 'delivered'],
    ['seen', 'read'],
  ])('turns %s into a %s receipt for our message', (event, status) => {
    expect(only({ event, timestamp: 1, message_token: '5741311803571721088', user_id: WORKER })).toEqual({
      kind: 'receipt', channel: 'viber', providerId: 'viber:5741311803571721088', status, receivedAt: AT,
    });
  });

  it('turns failed into a failed receipt with the reason, cut to 64 characters', () => {
    const desc = 'failed because the user is not reachable on any of the devices registered '.repeat(2);
    expect(only({ event: 'failed', timestamp: 1, message_token: '5741311803571721088', user_id: WORKER, desc })).toEqual({
      kind: 'receipt', channel: 'viber', providerId: 'viber:5741311803571721088', status: 'failed', errorCode: desc.slice(0, 64), receivedAt: AT,
    });
  });

  it.each([
    ['webhook', { event: 'webhook', timestamp: 1, chat_hostname: 'SN-1', message_token: 1 }],
    ['subscribed', { event: 'subscribed', timestamp: 1, user: { id: WORKER, name: 'Aung' }, message_token: 1 }],
    ['an event we do not use', { event: 'client_status', timestamp: 1 }],
  ])('gives nothing for %s', (_name, body) => {
    expect(parseViberEvent(body, AT)).toEqual([]);
  });

  it.each([
    ['no event', {}, 'event'],
    ['a message without a sender', { event: 'message', message_token: '1', message: { type: 'text', text: 'x' } }, 'sender'],
    ['a receipt without a token', { event: 'seen', user_id: WORKER }, 'message_token'],
    ['a token that is not a number', { event: 'seen', message_token: 'abc', user_id: WORKER }, 'message_token'],
    ['a token that lost its digits as a JavaScript number', { event: 'seen', message_token: 2 ** 60, user_id: WORKER }, 'message_token'],
  ])('refuses %s with a 400 naming the field', (_name, body, field) => {
    let thrown: unknown;
    try {
      parseViberEvent(body, AT);
    } catch (error) {
      thrown = error;
    }
    expect(thrown).toBeInstanceOf(AppError);
    expect((thrown as AppError).status).toBe(400);
    expect((thrown as AppError).issues.map((issue) => issue.field)).toContain(field);
  });
});
