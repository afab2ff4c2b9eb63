// The words every messaging channel shares: what arrives from a provider's webhook, once its
// signature is checked and its body parsed, and what leaves through a provider's API. A provider
// module (Twilio, LINE, Viber) turns its own webhook into `InboundEvent`s and implements
// `ChannelSender`; the pipeline (store first, then process per person in order) knows nothing else.

/** The chat and text channels a worker can write on. The web form and the voice line are not here. */
export const MESSAGING_CHANNELS = ['sms', 'whatsapp', 'messenger', 'line', 'viber'] as const;
export type MessagingChannel = (typeof MESSAGING_CHANNELS)[number];

export function isMessagingChannel(value: unknown): value is MessagingChannel {
  return typeof value === 'string' && (MESSAGING_CHANNELS as readonly string[]).includes(value);
}

/** Channels whose address is a phone number (the country can be read from it). */
export const PHONE_CHANNELS: readonly MessagingChannel[] = ['sms', 'whatsapp'];

/** A file or place a worker sent; content is fetched later, never inside the webhook. */
export interface InboundMedia {
  contentType: string;
  /** Where the content can be fetched: an https URL, or `line-content:<messageId>` for LINE's content API. */
  url: string;
}

/** Something a worker did on a channel, as the pipeline stores it. */
export type InboundEvent =
  | InboundMessage
  | { kind: 'follow'; channel: MessagingChannel; providerId: string; address: string; receivedAt: Date; replyToken?: ReplyToken }
  | { kind: 'unfollow'; channel: MessagingChannel; providerId: string; address: string; receivedAt: Date }
  | DeliveryReceipt;

/** A message from a worker: text, a chosen button (postback), a sticker or media. */
export interface InboundMessage {
  kind: 'message';
  channel: MessagingChannel;
  /** The provider's own message id, prefixed with the channel when the provider's ids could collide (`line:…`, `viber:…`). */
  providerId: string;
  /** The worker's identity on the channel: E.164 for SMS/WhatsApp, the provider's user id otherwise. */
  address: string;
  /** What the worker wrote (or the value of the button they pressed); '' for media only. */
  text: string;
  /** Not text the worker typed: a sticker (text describes it) or a location; kept, not answered as words. */
  note?: 'sticker' | 'location';
  media: InboundMedia[];
  receivedAt: Date;
  /** LINE only: a free reply token for a short while after the message. */
  replyToken?: ReplyToken;
}

export interface ReplyToken {
  token: string;
  expiresAt: Date;
}

/** A provider's word on one of our messages: it moves the status forward only. */
export interface DeliveryReceipt {
  kind: 'receipt';
  channel: MessagingChannel;
  /** The provider id of our outbound message. */
  providerId: string;
  status: 'sent' | 'delivered' | 'read' | 'failed' | 'undelivered';
  errorCode?: string;
  receivedAt: Date;
}

/** A button offered with a reply; the numbered text of the reply stays the fallback. */
export interface ReplyChoice {
  /** What the button shows (short). */
  label: string;
  /** What comes back when pressed: the same text a worker would type (e.g. "1"). */
  value: string;
}

/** One message leaving through a provider. */
export interface OutboundMessage {
  /** Our message id: providers that support it get it as an idempotency key. */
  messageId: string;
  channel: MessagingChannel;
  to: string;
  body: string;
  choices?: ReplyChoice[];
  /** Where the provider reports delivery (Twilio only). */
  statusCallback?: string;
  /** LINE: a reply token still valid, so the message costs nothing. */
  replyToken?: string;
  /** WhatsApp outside its 24-hour window: an approved template (Twilio Content API) instead of the body. */
  template?: { contentSid: string; variables: Record<string, string> };
}

export interface SentMessage {
  providerId: string;
  /** Our status after the provider accepted it: queued, sending or sent. */
  status: 'queued' | 'sending' | 'sent';
  /** True when the provider bills this message (LINE push). */
  billed?: boolean;
}

/** Why a send failed: retriable on 429, 5xx and network errors; never on other 4xx. */
export class SendFailure extends Error {
  override name = 'SendFailure';
  constructor(
    readonly retriable: boolean,
    /** The provider's error code (e.g. Twilio 21610 opted out), `network`, or `not_subscribed`. */
    readonly code: string,
    message: string,
    /** True when the failure means the worker blocked or left us: opt them out. */
    readonly optedOut = false,
  ) {
    super(message);
  }
}

/** Sends messages on some channels; `canSend` is false when the provider is not configured. */
export interface ChannelSender {
  readonly canSend: boolean;
  send(message: OutboundMessage): Promise<SentMessage>;
}
