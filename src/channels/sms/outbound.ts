import type { i18n } from 'i18next';
import type { Kysely, Transaction } from 'kysely';
import { isLanguage } from '../../language/negotiation';
import { whatsappTemplateFor } from '../../config';
import type { Clock } from '../../clock';
import { insertCaseEvent } from '../../cases/case-event.repository';
import type { Database } from '../../db/schema';
import type { JobContext } from '../../jobs/job.types';
import type { HotlineCounters } from '../../observability/hotline-counters';
import type { PersonalDataCipher } from '../../privacy/personal-data';
import { openerFor, sealerForContact, type PersonOpener, type PersonSealer } from '../../privacy/person-keys';
import { SendFailure, isMessagingChannel, type MessagingChannel, type OutboundMessage } from '../channel';
import { choicesFor } from '../reply-choices';
import type { MessageSender } from '../senders';
import { findOutboundToSend, insertOutboundMessage, markContactOptedOut, markMessage } from './outbound.repository';
import { countSegments } from './segments';

export { markContactOptedOut };
import { TWILIO_CHANNELS } from './twilio-sender';

/** The job that sends one outbound message. */
export const SEND_JOB = 'sms.send';

/** Writes the outbox row of a job inside a transaction (the job queue's enqueue). */
export type EnqueueSend = (trx: Transaction<Database>, messageId: string) => Promise<unknown>;

export interface QueuedMessage {
  contactId: string;
  caseId: string | null;
  channel: MessagingChannel;
  body: string;
  language: string;
  /** The reply template it was rendered from, or null for a caseworker's own words. */
  template: string | null;
  sentByUserId?: string | null;
  /** LINE: the reply token of the message this answers, while it is still valid. */
  replyToken?: { token: string; expiresAt: Date } | null;
  /** Held until the worker writes again (WhatsApp outside its 24-hour window): written, not queued for sending. */
  hold?: boolean;
}

/** The template of WhatsApp's "we have news on your case" notice, sent as an approved Content API template. */
export const WHATSAPP_NEWS_TEMPLATE = 'whatsapp.news';

/**
 * Records an outbound message (sealed under the worker's own key, with its encoding and segment
 * count) and queues the job that sends it, in the caller's transaction. `deps.sealer`, when given,
 * is the sealer of the contact's person (else it is looked up).
 */
export async function queueOutboundMessage(
  trx: Transaction<Database>,
  deps: { cipher: PersonalDataCipher; clock: Clock; enqueueSend: EnqueueSend; counters?: Pick<HotlineCounters, 'outboundStatus'> | undefined; sealer?: PersonSealer | undefined },
  message: QueuedMessage,
): Promise<string> {
  const sealer = deps.sealer ?? (await sealerForContact(trx, deps.cipher, message.contactId));
  // Segments are SMS's measure (and its cost); chat channels are counted the same way for length only.
  const { encoding, segments } = countSegments(message.body);
  const now = deps.clock.now();
  const id = await insertOutboundMessage(trx, {
    channel: message.channel,
    contactId: message.contactId,
    caseId: message.caseId,
    bodyEncrypted: sealer.seal(message.body),
    language: message.language,
    encoding,
    segments,
    template: message.template,
    sentByUserId: message.sentByUserId ?? null,
    replyToken: message.replyToken ?? null,
    status: message.hold ? 'held' : 'queued',
  }, now);
  if (!message.hold) {
    await deps.enqueueSend(trx, id);
    // Counted when written: should the caller's transaction roll back, the count stays (rare).
    deps.counters?.outboundStatus(message.channel, 'queued');
  }
  if (message.caseId) {
    await insertCaseEvent(trx, {
      caseId: message.caseId,
      type: 'message.queued',
      actorKind: message.sentByUserId ? 'staff' : 'system',
      actorUserId: message.sentByUserId ?? null,
      data: { messageId: id, template: message.template, segments, encoding },
      at: now,
    });
  }
  return id;
}

export interface SendDeps {
  db: Kysely<Database>;
  cipher: PersonalDataCipher;
  clock: Clock;
  i18n: i18n;
  sender: MessageSender;
  /** TWILIO_WHATSAPP_TEMPLATE_SID: the approved template(s) of WhatsApp's news notice. */
  whatsappTemplateSid?: string | undefined;
  /** PUBLIC_URL: Twilio reports delivery to <publicUrl>/webhooks/twilio/status?message=<id>. */
  publicUrl: string;
  maxAttempts: number;
  /** Counts each status the send records, and billed messages, by channel; unset, nothing is counted. */
  counters?: Pick<HotlineCounters, 'outboundStatus' | 'billedMessage'> | undefined;
}

/**
 * Sends one queued message. One message id gives at most one successful send: a message that
 * already has a provider id, or is no longer queued, is left alone. Nothing is sent to a contact
 * who opted out. Without a Twilio account the message is marked `recorded` (a dry run).
 */
export async function sendQueuedMessage(deps: SendDeps, messageId: string, context: JobContext): Promise<void> {
  const { db, clock } = deps;
  const message = await findOutboundToSend(db, messageId);
  if (!message || message.status !== 'queued' || message.provider_id) return;
  const count = (status: string) => deps.counters?.outboundStatus(message.channel, status);
  if (message.is_opted_out) {
    await markMessage(db, messageId, { status: 'failed', error_code: 'opted_out' }, clock.now());
    count('failed');
    return;
  }
  const demoContact = (message.conversation as { demo?: unknown } | null)?.demo === true;
  const channel: MessagingChannel = isMessagingChannel(message.channel) ? message.channel : 'sms';
  if (!deps.sender.canSend(channel) || demoContact) {
    await markMessage(db, messageId, { status: 'recorded' }, clock.now());
    count('recorded');
    context.logger.info(
      { messageId, segments: message.segments },
      demoContact ? 'outbound message to a demo contact recorded, not sent' : `outbound message recorded, not sent (${channel} is not configured)`,
    );
    return;
  }
  try {
    const opener = await openerFor(db, deps.cipher, [message.body_encrypted, message.address_encrypted]);
    const opened = opener.openOrErased(message.body_encrypted);
    if (opened === null && message.body_encrypted !== null) throw new SendFailure(false, 'erased', 'the message was erased');
    const body = opened ?? '';
    const language = isLanguage(message.language) ? message.language : 'en';
    const choices = channel === 'sms' ? undefined : choicesFor(deps.i18n, language, message.template, body);
    const template = message.template === WHATSAPP_NEWS_TEMPLATE ? whatsappTemplateFor(deps.whatsappTemplateSid, language) : undefined;
    if (message.template === WHATSAPP_NEWS_TEMPLATE && !template) throw new SendFailure(false, 'no_template', 'TWILIO_WHATSAPP_TEMPLATE_SID is not set');
    const replyToken = message.reply_token && message.reply_token_expires_at && message.reply_token_expires_at > clock.now() ? message.reply_token : undefined;
    const outbound: OutboundMessage = {
      messageId,
      channel,
      to: openAddress(opener, message.address_encrypted),
      body,
      ...(choices ? { choices } : {}),
      ...(replyToken ? { replyToken } : {}),
      ...(template ? { template: { contentSid: template, variables: {} } } : {}),
      ...(TWILIO_CHANNELS.includes(channel) ? { statusCallback: `${deps.publicUrl}/webhooks/twilio/status?message=${messageId}` } : {}),
    };
    const sent = await deps.sender.send(outbound);
    await markMessage(db, messageId, { status: sent.status, provider_id: sent.providerId }, clock.now());
    if (sent.status !== 'queued') count(sent.status);
    if (sent.billed) {
      deps.counters?.billedMessage(channel);
      context.logger.info({ messageId, channel }, 'billed push message sent (no reply token was valid)');
    }
  } catch (error) {
    await onSendFailure(deps, { messageId, contactId: message.contactId, channel: message.channel }, error, context);
  }
}

async function onSendFailure(deps: SendDeps, ids: { messageId: string; contactId: string; channel: string }, error: unknown, context: JobContext): Promise<void> {
  const failure = error instanceof SendFailure ? error : new SendFailure(true, 'network', String(error));
  if (failure.retriable && context.attempt < deps.maxAttempts) {
    await markMessage(deps.db, ids.messageId, { error_code: failure.code }, deps.clock.now(), false);
    throw failure;
  }
  await markMessage(deps.db, ids.messageId, { status: 'failed', error_code: failure.code }, deps.clock.now());
  deps.counters?.outboundStatus(ids.channel, 'failed');
  if (failure.optedOut || failure.code === '21610') await markContactOptedOut(deps.db, ids.contactId, deps.clock.now());
  context.logger.warn({ messageId: ids.messageId, code: failure.code }, 'outbound message failed');
}

/** The worker's address, or a permanent failure when their personal data was erased. */
function openAddress(opener: PersonOpener, sealed: string | null): string {
  const address = opener.openOrErased(sealed);
  if (address === null) throw new SendFailure(false, 'erased', 'the contact was erased');
  return address;
}
