import express, { type Express } from 'express';
import request from 'supertest';
import type { InboundEvent, OutboundMessage } from '../../src/channels/channel';
import { SendFailure } from '../../src/channels/channel';
import { createViberSender, VIBER_MAX_BUTTONS } from '../../src/channels/viber/viber-sender';
import { registerViberWebhook } from '../../src/channels/viber/viber-setup';
import { checkViberSignature } from '../../src/channels/viber/viber-signature';
import { viberRoutes } from '../../src/channels/viber/viber.routes';
import { createErrorHandler } from '../../src/http/error-handler';
import { mountRoutes } from '../../src/http/routes';
import { createI18n } from '../../src/language/i18n';
import { FAKE_VIBER_TOKEN, signViberBody, startFakeViber, type FakeViber } from '../support/fake-viber';
import { silentLogger } from '../support/logger';

const PATH = '/webhooks/viber';
const WORKER = 'pttm25kSGUo1919sBORWyA==';
const NOW = new Date('2026-11-27T08:00:00Z');

/** The Viber route alone, with the app's error handler; what it hands the pipeline is kept. */
function buildViberApp({ unconfigured = false, formParserFirst = false } = {}): { app: Express; received: InboundEvent[][] } {
  const received: InboundEvent[][] = [];
  const app = express();
  // As in the app, where every /webhooks route sits behind Twilio's form parser.
  if (formParserFirst) app.use('/webhooks', express.urlencoded({ extended: false }));
  const routes = viberRoutes({ clock: { now: () => NOW }, logger: silentLogger(), viberAuthToken: unconfigured ? undefined : FAKE_VIBER_TOKEN, receive: async (events) => void received.push(events) });
  app.use(mountRoutes(express.Router(), routes, () => Promise.resolve(undefined)));
  app.use(createErrorHandler(createI18n()));
  return { app, received };
}

/** A text message as Viber posts it: raw JSON with a 64-bit token, a name and an avatar. */
function textMessageBody(text: string, token = '5741311803571721087'): string {
  const event = { event: 'message', timestamp: 1_764_230_400_000, message_token: 0, sender: { id: WORKER, name: 'Mya Mya', avatar: 'https://a.example/x.jpg', country: 'TH' }, message: { type: 'text', text } };
  return JSON.stringify(event).replace('"message_token":0', `"message_token":${token}`);
}

function post(app: Express, body: string, signature?: string) {
  const call = request(app).post(PATH).set('Content-Type', 'application/json');
  return (signature === undefined ? call : call.set('X-Viber-Content-Signature', signature)).send(body);
}

describe('the Viber webhook', () => {
  it('accepts a body signed with the token and hands its events on, every digit of the token kept', async () => {
    const { app, received } = buildViberApp();
    const body = textMessageBody('ช่วยด้วย');
    await post(app, body, signViberBody(body)).expect(200);
    expect(received).toEqual([[{ kind: 'message', channel: 'viber', providerId: 'viber:5741311803571721087', address: WORKER, text: 'ช่วยด้วย', media: [], receivedAt: NOW }]]);
    expect(JSON.stringify(received)).not.toContain('Mya');
  });

  it('answers 200 to the webhook check Viber makes when the webhook is set, handing nothing on', async () => {
    const { app, received } = buildViberApp();
    const body = '{"event":"webhook","timestamp":1764230400000,"chat_hostname":"SN-1","message_token":5741311803571721087}';
    await post(app, body, signViberBody(body)).expect(200);
    expect(received).toEqual([]);
  });

  it.each([
    ['a missing signature', 400, 'signature_missing', (body: string): [string, string | undefined] => [body, undefined]],
    ['another token', 403, 'signature_invalid', (body: string): [string, string | undefined] => [body, signViberBody(body, 'ffffffffffffffff-ffffffffffffffff-ffffffffffffffff')]],
    ['a tampered body', 403, 'signature_invalid', (body: string): [string, string | undefined] => [body.replace('help', 'HELP'), signViberBody(body)]],
    ['a signature of the wrong length', 403, 'signature_invalid', (body: string): [string, string | undefined] => [body, signViberBody(body).slice(1)]],
    ['a signature that is not hex', 403, 'signature_invalid', (body: string): [string, string | undefined] => [body, 'z'.repeat(64)]],
  ])('refuses %s (%i) and hands nothing on', async (_name, status, code, build) => {
    const { app, received } = buildViberApp();
    const [body, signature] = build(textMessageBody('help'));
    const response = await post(app, body, signature).expect(status);
    expect(response.body.error.code).toBe(code);
    expect(received).toEqual([]);
  });

  it('refuses every webhook with 503 when no token is configured', async () => {
    const { app, received } = buildViberApp({ unconfigured: true });
    const body = textMessageBody('help');
    const response = await post(app, body, signViberBody(body)).expect(503);
    expect(response.body.error.code).toBe('unavailable');
    expect(received).toEqual([]);
  });

  it('refuses a signed body that is not JSON with a 400 naming the body', async () => {
    const { app } = buildViberApp();
    const body = '{"event":"message",';
    const response = await post(app, body, signViberBody(body)).expect(400);
    expect(response.body.error.fields).toEqual([expect.objectContaining({ field: '(body)', reason: 'invalid_format' })]);
  });

  it('refuses a signed event missing a field with a 400 naming it', async () => {
    const { app } = buildViberApp();
    const body = '{"event":"seen","user_id":"x"}';
    const response = await post(app, body, signViberBody(body)).expect(400);
    expect(response.body.error.fields).toEqual([expect.objectContaining({ field: 'message_token', reason: 'required' })]);
  });

  it('refuses a form body another parser has already read (415): the signed bytes are gone', async () => {
    const { app, received } = buildViberApp({ formParserFirst: true });
    const body = 'event=message';
    const response = await request(app).post(PATH).type('form').set('X-Viber-Content-Signature', signViberBody(body)).send(body).expect(415);
    expect(response.body.error.code).toBe('unsupported_media_type');
    expect(received).toEqual([]);
  });

  it('still reads a JSON body behind the form parser', async () => {
    const { app, received } = buildViberApp({ formParserFirst: true });
    const body = textMessageBody('help');
    await post(app, body, signViberBody(body)).expect(200);
    expect(received).toHaveLength(1);
  });

  it('checks the signature on the exact bytes, whatever the content type says', async () => {
    const { app, received } = buildViberApp();
    const body = textMessageBody('help');
    await request(app).post(PATH).set('Content-Type', 'text/plain').set('X-Viber-Content-Signature', signViberBody(body)).send(body).expect(200);
    expect(received).toHaveLength(1);
  });
});

describe('checkViberSignature', () => {
  it('accepts the signature in upper-case hex too', () => {
    const body = Buffer.from('{"event":"webhook"}');
    expect(checkViberSignature(body, signViberBody(body.toString()).toUpperCase(), FAKE_VIBER_TOKEN)).toBe('valid');
  });
});

describe('the Viber sender', () => {
  let viber: FakeViber;
  beforeAll(async () => {
    viber = await startFakeViber();
  });
  afterAll(async () => {
    await viber.close();
  });
  beforeEach(() => {
    viber.requests.length = 0;
  });

  const message = (overrides: Partial<OutboundMessage> = {}): OutboundMessage => ({ messageId: 'm-1', channel: 'viber', to: WORKER, body: 'We got your message.', ...overrides });

  async function failureOf(promise: Promise<unknown>): Promise<SendFailure> {
    const error: unknown = await promise.then(() => undefined, (caught: unknown) => caught);
    expect(error).toBeInstanceOf(SendFailure);
    return error as SendFailure;
  }

  it('sends text from the bot name with the auth token, and returns the token as provider id, every digit kept', async () => {
    const expected = viber.nextToken();
    const sent = await createViberSender(viber.config()).send(message());
    expect(sent).toEqual({ providerId: `viber:${expected}`, status: 'sent' });
    expect(viber.requests).toHaveLength(1);
    const [call] = viber.requests;
    expect(call?.path).toBe('/pa/send_message');
    expect(call?.headers['x-viber-auth-token']).toBe(FAKE_VIBER_TOKEN);
    expect(call?.body).toEqual({ receiver: WORKER, min_api_version: 1, sender: { name: 'Migrant Hotline' }, type: 'text', text: 'We got your message.' });
  });

  it('offers the choices as reply buttons, three a row when the labels are short', async () => {
    const choices = ['1', '2', '3', '4', '5', '6'].map((value) => ({ label: `${value}. Wages`, value }));
    await createViberSender(viber.config()).send(message({ choices }));
    const body = viber.requests[0]?.body as Record<string, unknown>;
    expect(body['min_api_version']).toBe(3);
    expect(body['keyboard']).toEqual({
      Type: 'keyboard',
      DefaultHeight: false,
      Buttons: choices.map((choice) => ({ ActionType: 'reply', ActionBody: choice.value, Text: choice.label, Columns: 2, Rows: 1 })),
    });
  });

  it.each([
    ['two short labels side by side', [['Yes', 'yes'], ['No', 'no']], 3],
    ['one long label a row', [['My employer keeps my passport', '1'], ['Wages', '2'], ['Other', '3']], 6],
    ['a single button across the row', [['Talk to someone', '1']], 6],
  ])('lays out %s', async (_name, pairs, columns) => {
    await createViberSender(viber.config()).send(message({ choices: pairs.map(([label, value]) => ({ label: label ?? '', value: value ?? '' })) }));
    const buttons = (viber.requests[0]?.body as { keyboard: { Buttons: { Columns: number }[] } }).keyboard.Buttons;
    expect(buttons.map((button) => button.Columns)).toEqual(pairs.map(() => columns));
  });

  it(`puts at most ${VIBER_MAX_BUTTONS} buttons on a keyboard`, async () => {
    const choices = Array.from({ length: 30 }, (_, index) => ({ label: String(index + 1), value: String(index + 1) }));
    await createViberSender(viber.config()).send(message({ choices }));
    const buttons = (viber.requests[0]?.body as { keyboard: { Buttons: { ActionBody: string }[] } }).keyboard.Buttons;
    expect(buttons).toHaveLength(VIBER_MAX_BUTTONS);
    expect(buttons.at(-1)?.ActionBody).toBe('24');
  });

  it.each([
    ['not subscribed (6)', { json: { status: 6, status_message: 'notSubscribed' } }, { retriable: false, code: 'viber_6', optedOut: false }],
    ['not registered (5)', { json: { status: 5, status_message: 'receiverNotRegistered' } }, { retriable: false, code: 'viber_5', optedOut: true }],
    ['blocked (7)', { json: { status: 7, status_message: 'publicAccountBlocked' } }, { retriable: false, code: 'viber_7', optedOut: false }],
    ['too many requests (12)', { json: { status: 12, status_message: 'tooManyRequests' } }, { retriable: true, code: 'viber_12', optedOut: false }],
    ['bad data (3)', { json: { status: 3, status_message: 'badData' } }, { retriable: false, code: 'viber_3', optedOut: false }],
    ['HTTP 500', { http: 500, json: {} }, { retriable: true, code: 'http_500', optedOut: false }],
    ['HTTP 429', { http: 429, json: {} }, { retriable: true, code: 'http_429', optedOut: false }],
    ['HTTP 400', { http: 400, json: {} }, { retriable: false, code: 'http_400', optedOut: false }],
    ['a dropped connection', 'drop' as const, { retriable: true, code: 'network', optedOut: false }],
  ])('maps %s to a failure', async (_name, answer, expected) => {
    viber.answerNext(answer);
    const failure = await failureOf(createViberSender(viber.config()).send(message()));
    expect({ retriable: failure.retriable, code: failure.code, optedOut: failure.optedOut }).toEqual(expected);
  });

  it('refuses text longer than Viber takes, without calling Viber', async () => {
    const failure = await failureOf(createViberSender(viber.config()).send(message({ body: 'x'.repeat(7001) })));
    expect(failure).toMatchObject({ retriable: false, code: 'viber_too_long' });
    expect(viber.requests).toHaveLength(0);
  });

  it('cannot send without a token, and says so', async () => {
    const sender = createViberSender(viber.config({ authToken: undefined }));
    expect(sender.canSend).toBe(false);
    expect(await failureOf(sender.send(message()))).toMatchObject({ retriable: false, code: 'not_configured' });
    expect(viber.requests).toHaveLength(0);
  });

  describe('registerViberWebhook', () => {
    it('points the webhook at the public URL, asking for neither names nor photos', async () => {
      await expect(registerViberWebhook(viber.config(), 'https://hotline.example.org/')).resolves.toEqual({ url: 'https://hotline.example.org/webhooks/viber' });
      expect(viber.requests).toEqual([expect.objectContaining({ path: '/pa/set_webhook' })]);
      expect(viber.requests[0]?.headers['x-viber-auth-token']).toBe(FAKE_VIBER_TOKEN);
      expect(viber.requests[0]?.body).toEqual({
        url: 'https://hotline.example.org/webhooks/viber',
        event_types: ['delivered', 'seen', 'failed', 'subscribed', 'unsubscribed', 'conversation_started'],
        send_name: false,
        send_photo: false,
      });
    });

    it('fails with Viber\'s status when Viber refuses the URL', async () => {
      viber.answerNext({ json: { status: 1, status_message: 'Result[HttpRequest[POST /webhooks/viber]] is not 200' } });
      await expect(registerViberWebhook(viber.config(), 'https://hotline.example.org')).rejects.toMatchObject({ code: 'viber_1' });
    });

    it('refuses a public URL that is not https before calling Viber', async () => {
      await expect(registerViberWebhook(viber.config(), 'http://hotline.example.org')).rejects.toThrow(/PUBLIC_URL must be https/);
      expect(viber.requests).toHaveLength(0);
    });
  });
});
