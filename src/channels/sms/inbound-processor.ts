import type { i18n } from 'i18next';
import type { Kysely, Transaction } from 'kysely';
import type { Language } from '../../cases/case.vocabulary';
import { insertCaseEvent } from '../../cases/case-event.repository';
import {
  addCaseCategories,
  findCaseOfContactByReference,
  findCaseReferenceById,
  findLatestCaseOfContact,
  findOpenCaseOfContact,
  ownerWantsDiscretion,
  updateCase,
} from '../../cases/case.repository';
import { openCase as openNewCase } from '../../cases/case.service';
import { recordConsent } from '../../cases/consent.service';
import type { Clock } from '../../clock';
import type { HotlineJobQueue } from '../../jobs/hotline-jobs';
import type { DomainEventPublisher } from '../../events/domain-events';
import type { Database } from '../../db/schema';
import { isLanguage } from '../../language/negotiation';
import { countryFromPhone } from '../../places/place-matcher';
import type { HotlineCounters } from '../../observability/hotline-counters';
import type { PersonalDataCipher } from '../../privacy/personal-data';
import { openerFor, PersonErasedError, sealerFor, type PersonOpener, type PersonSealer } from '../../privacy/person-keys';
import { resealMovedValues } from '../../privacy/key-migration.service';
import { recordAudit } from '../../audit/audit.repository';
import { fileWorkerErasureRequest } from '../../erasures/erasure-request.service';
import { adoptAttachmentsIntoCase, recordInboundMedia, type InboundMediaReference } from '../../attachments/attachment-intake.service';
import { generatePin, pinHashOf, pinMatches, PIN_FAILURES_PER_REFERENCE } from '../../cases/case-pin';
import { createRateLimiter } from '../../http/rate-limit';
import { PHONE_CHANNELS, isMessagingChannel, type MessagingChannel } from '../channel';
import { caseHasPin, findCaseForLink, findCaseOwner, listUnprocessedMessages, moveIdentityToPerson, releaseHeldMessages, lockContactAndPerson, markContactOptedIn, markMessageProcessed, saveContactState } from './conversation.repository';
import { readState, takeTurn, type ConversationAction, type ConversationState, type Reply } from './conversation';
import { markContactOptedOut, queueOutboundMessage, type EnqueueSend } from './outbound';

// Processes a contact's inbound messages one at a time, in the order they arrived, under a lock on
// the contact: two texts arriving at once never open two cases or interleave a conversation.

export interface InboundProcessorDeps {
  db: Kysely<Database>;
  cipher: PersonalDataCipher;
  clock: Clock;
  i18n: i18n;
  enqueueSend: EnqueueSend;
  /** The queue, for the routing and notification jobs a turn may cause. */
  jobs: Pick<HotlineJobQueue, 'enqueue'>;
  /** True when SMTP_URL is set: notices to staff are also emailed. */
  mailEnabled: boolean;
  /** Routing and notifications hear of a completed intake and a worker writing again. */
  events: DomainEventPublisher;
  /** Counts processed messages (after commit) and queued replies; unset, nothing is counted. */
  counters?: Pick<HotlineCounters, 'inboundProcessed' | 'outboundStatus'> | undefined;
}

interface LockedContact {
  id: string;
  personId: string;
  /** Seals under the person's own key; replaced when the identity joins another person. */
  sealer: PersonSealer;
  /** Opens this turn's stored values (the address, the messages' words and media URLs). */
  opener: PersonOpener;
  channel: MessagingChannel;
  address: string;
  language: Language | null;
  isOptedOut: boolean;
  isDiscreet: boolean;
  state: ConversationState;
}

type InboundEventKind = 'follow' | 'unfollow' | 'sticker' | 'location';

interface PendingMessage {
  id: string;
  body: string;
  createdAt: Date;
  /** Not words: a follow, an unfollow, a sticker, a location. */
  event: InboundEventKind | null;
  replyToken: { token: string; expiresAt: Date } | null;
  /** The files that came with it, their URLs sealed. */
  media: InboundMediaReference[];
}

function isInboundEvent(value: unknown): value is InboundEventKind {
  return value === 'follow' || value === 'unfollow' || value === 'sticker' || value === 'location';
}

/** Processes every unprocessed inbound message of a contact; returns how many. */
export async function processInboundMessages(deps: InboundProcessorDeps, contactId: string): Promise<number> {
  let channel = 'sms';
  const processed = await deps.db.transaction().execute(async (trx) => {
    const locked = await lockContact(trx, deps.cipher, contactId);
    if (!locked) return 0;
    const { contact, pending } = locked;
    channel = contact.channel;
    for (const message of pending) await processOne(trx, deps, contact, message);
    // The worker wrote again: replies held for them (WhatsApp's closed window) can go now.
    if (pending.length > 0 && !contact.isOptedOut && contact.channel === 'whatsapp') {
      for (const held of await releaseHeldMessages(trx, contact.id, deps.clock.now())) await deps.enqueueSend(trx, held);
    }
    const lastMessageAt = pending.at(-1)?.createdAt ?? null;
    await saveContactState(trx, contact.id, {
      conversation: contact.state, language: contact.language, isOptedOut: contact.isOptedOut, isDiscreet: contact.isDiscreet, lastMessageAt,
    }, deps.clock.now());
    return pending.length;
  });
  if (processed > 0) deps.counters?.inboundProcessed(channel, processed);
  return processed;
}

/**
 * The contact, locked, with its unprocessed messages opened. One query for the person's key (the
 * key their words were sealed under at the webhook): the opener needs none more. Nothing is done
 * for a person who was erased.
 */
async function lockContact(trx: Transaction<Database>, cipher: PersonalDataCipher, contactId: string): Promise<{ contact: LockedContact; pending: PendingMessage[] } | undefined> {
  const row = await lockContactAndPerson(trx, contactId);
  if (!row) return undefined;
  const rows = await listUnprocessedMessages(trx, contactId);
  if (rows.length === 0) return undefined;
  let sealer: PersonSealer;
  try {
    sealer = await sealerFor(trx, cipher, row.person_id);
  } catch (error) {
    if (error instanceof PersonErasedError) return undefined;
    throw error;
  }
  const media = rows.map((message) => mediaReferences(message.media));
  const opener = await openerFor(trx, cipher, [row.address_encrypted, ...rows.map((message) => message.body_encrypted), ...media.flat().map((item) => item.url)], [sealer]);
  const contact: LockedContact = {
    id: row.id,
    personId: row.person_id,
    sealer,
    opener,
    channel: isMessagingChannel(row.channel) ? row.channel : 'sms',
    address: opener.openOrErased(row.address_encrypted) ?? '',
    language: isLanguage(row.language) ? row.language : null,
    isOptedOut: row.is_opted_out,
    isDiscreet: row.is_discreet,
    state: readState(row.conversation),
  };
  return { contact, pending: rows.map((message, index) => pendingMessage(opener, message, media[index] ?? [])) };
}

function pendingMessage(opener: PersonOpener, row: Awaited<ReturnType<typeof listUnprocessedMessages>>[number], media: InboundMediaReference[]): PendingMessage {
  return {
    id: row.id,
    body: opener.openOrErased(row.body_encrypted) ?? '',
    createdAt: row.created_at,
    event: isInboundEvent(row.event) ? row.event : null,
    replyToken: row.reply_token && row.reply_token_expires_at ? { token: row.reply_token, expiresAt: row.reply_token_expires_at } : null,
    media,
  };
}

/** The media references stored with a message (content type and sealed URL); anything else is skipped. */
function mediaReferences(stored: unknown): InboundMediaReference[] {
  if (!Array.isArray(stored)) return [];
  return stored.filter((item): item is InboundMediaReference =>
    typeof item === 'object' && item !== null && typeof (item as InboundMediaReference).url === 'string' && typeof (item as InboundMediaReference).contentType === 'string');
}

async function processOne(trx: Transaction<Database>, deps: InboundProcessorDeps, contact: LockedContact, message: PendingMessage): Promise<void> {
  const openCase = await findOpenCaseOfContact(trx, contact.id);
  const turn = takeTurn({
    text: message.body,
    ...(message.event ? { event: message.event } : {}),
    hasMedia: message.media.length > 0,
    state: contact.state,
    contact: {
      language: contact.language,
      isOptedOut: contact.isOptedOut,
      isDiscreet: contact.isDiscreet,
      phoneCountry: PHONE_CHANNELS.includes(contact.channel) ? countryFromPhone(contact.address) : undefined,
    },
    openCase: openCase ? { intakeComplete: openCase.intake_complete, originCountry: openCase.origin_country } : undefined,
  });
  let caseId = openCase?.id ?? null;
  const outcome: TurnOutcome = {};
  for (const action of turn.actions) {
    caseId = await applyAction(trx, deps, contact, message, caseId, action, outcome);
  }
  contact.state = turn.state;
  if (message.media.length > 0) {
    await recordInboundMedia(trx, { ...deps, opener: contact.opener, sealer: contact.sealer }, { id: message.id, channel: contact.channel, caseId, personId: contact.personId, media: message.media });
  }
  await markMessageProcessed(trx, message.id, { caseId, language: contact.language }, deps.clock.now());
  if (!turn.reply || contact.isOptedOut) return;
  // Viber's welcome already went in the webhook's answer: a bot may not message a worker who has
  // only opened the chat.
  if (message.event === 'follow' && contact.channel === 'viber') return;
  const answer: Reply = turn.reply.lookup?.kind === 'link'
    ? { template: `link.${outcome.link ?? 'failed'}`, params: { reference: outcome.linkedReference ?? '' } }
    : turn.reply.lookup?.kind === 'erasure' ? { template: `erasure.${outcome.erasure ?? 'requested'}` } : turn.reply;
  // The PIN of a case opened in chat is never given to a discreet worker. On SMS it goes in a message
  // of its own (each stays within three segments); on chat apps it follows in the same message, so
  // LINE's free reply token carries both.
  const pin: Reply | undefined = outcome.pin && !(contact.isDiscreet || (await caseOwnerIsDiscreet(trx, caseId)))
    ? { template: 'intake.pin', params: { pin: outcome.pin, reference: outcome.pinReference ?? '' } }
    : undefined;
  if (pin && contact.channel === 'sms') {
    await reply(trx, deps, contact, caseId, answer, message.replyToken);
    await reply(trx, deps, contact, caseId, pin, null);
    return;
  }
  await reply(trx, deps, contact, caseId, answer, message.replyToken, pin);
}

/** What a turn's actions found out, for its reply. */
interface TurnOutcome {
  /** How STATUS <reference> <PIN> went. */
  link?: 'done' | 'already' | 'failed' | 'locked';
  linkedReference?: string;
  /** A PIN drawn for the case at the end of its intake (never stored in clear). */
  pin?: string;
  pinReference?: string;
  /** Whether DELETE filed a new erasure request or found one open. */
  erasure?: 'requested' | 'already';
}

async function applyAction(
  trx: Transaction<Database>,
  deps: InboundProcessorDeps,
  contact: LockedContact,
  message: PendingMessage,
  caseId: string | null,
  action: ConversationAction,
  outcome: TurnOutcome,
): Promise<string | null> {
  const now = deps.clock.now();
  const event = (type: string, data: Record<string, string | boolean | null | string[]> = {}) =>
    caseId ? insertCaseEvent(trx, { caseId, type, actorKind: 'worker', data, at: now }) : Promise.resolve();
  switch (action.type) {
    case 'open_case':
      return openCase(trx, deps, contact, message, action.story);
    case 'attach_to_case':
      if (caseId) {
        await updateCase(trx, caseId, { last_worker_message_at: message.createdAt }, now);
        await event('message.received', { messageId: message.id });
        await deps.events.publish(trx, { type: 'case.worker_wrote', caseId }, { clock: deps.clock, mailEnabled: deps.mailEnabled });
      }
      return caseId;
    case 'set_categories':
      if (caseId) await addCaseCategories(trx, caseId, action.categories, now);
      await event('case.categories_set', { categories: action.categories });
      return caseId;
    case 'set_location':
      if (caseId) {
        await updateCase(trx, caseId, {
          destination_country: action.country,
          destination_province: action.province,
          location_raw_encrypted: contact.sealer.seal(action.raw),
        }, now);
      }
      await event('case.location_set', { country: action.country, province: action.province });
      return caseId;
    case 'set_origin':
      if (caseId) await updateCase(trx, caseId, { origin_country: action.country }, now);
      return caseId;
    case 'set_consent':
      if (caseId) {
        const wording = render(deps.i18n, contact.language ?? 'en', action.wordingTemplate, {});
        const reference = await findCaseReferenceById(trx, caseId);
        await recordConsent(trx, { ...deps, sealer: contact.sealer }, { caseId, reference }, { given: action.given, wording, source: contact.channel }, {
          actorKind: 'worker', userId: null, organisationId: null, ip: null,
        }, now);
      }
      return caseId;
    case 'consent_unclear':
      // The worker's words are the inbound message itself; the event points at it and holds no text.
      await event('case.consent_unclear', { messageId: message.id });
      return caseId;
    case 'complete_intake':
      if (caseId) {
        await updateCase(trx, caseId, { intake_complete: true }, now);
        const reference = await findCaseReferenceById(trx, caseId);
        if (!(await caseHasPin(trx, caseId))) {
          outcome.pin = generatePin();
          outcome.pinReference = reference;
          await updateCase(trx, caseId, { pin_hash: pinHashOf(deps.cipher, reference, outcome.pin) }, now);
        }
      }
      await event('case.intake_completed');
      if (caseId) await deps.events.publish(trx, { type: 'case.intake_completed', caseId }, { clock: deps.clock, mailEnabled: deps.mailEnabled });
      return caseId;
    case 'set_language':
      contact.language = action.language;
      if (caseId) await updateCase(trx, caseId, { language: action.language }, now);
      return caseId;
    case 'set_discreet':
      contact.isDiscreet = action.on;
      return caseId;
    case 'opt_out':
      contact.isOptedOut = true;
      await markContactOptedOut(trx, contact.id, now);
      await event('contact.opted_out');
      return caseId;
    case 'link_identity':
      await linkIdentity(trx, deps, contact, action, outcome, now);
      return caseId;
    case 'request_erasure': {
      const filed = await fileWorkerErasureRequest(trx, deps, { personId: contact.personId, caseId, source: 'worker_keyword', channel: contact.channel, ip: null });
      outcome.erasure = filed.outcome;
      return caseId;
    }
    case 'opt_in':
      contact.isOptedOut = false;
      await markContactOptedIn(trx, contact.id, now);
      await event('contact.opted_in');
      return caseId;
  }
}

async function openCase(
  trx: Transaction<Database>,
  deps: InboundProcessorDeps,
  contact: LockedContact,
  message: PendingMessage,
  story: string,
): Promise<string> {
  const created = await openNewCase(trx, { ...deps, sealer: contact.sealer }, {
    channel: contact.channel,
    language: contact.language ?? 'en',
    contactId: contact.id,
    story,
    receivedAt: message.createdAt,
    messageId: message.id,
  });
  await adoptAttachmentsIntoCase(trx, contact.personId, created.id);
  return created.id;
}

async function reply(
  trx: Transaction<Database>,
  deps: InboundProcessorDeps,
  contact: LockedContact,
  caseId: string | null,
  answer: Reply,
  replyToken: PendingMessage['replyToken'],
  /** A second text in the same message (chat apps only). */
  followedBy?: Reply,
): Promise<void> {
  const language = contact.language ?? 'en';
  const discreet = contact.isDiscreet || (await caseOwnerIsDiscreet(trx, caseId));
  const { template, params } = await resolveReply(trx, deps, contact, answer, discreet);
  const body = render(deps.i18n, language, template, params);
  await queueOutboundMessage(trx, { ...deps, sealer: contact.sealer }, {
    contactId: contact.id,
    caseId,
    channel: contact.channel,
    body: followedBy ? `${body}\n\n${render(deps.i18n, language, followedBy.template, followedBy.params ?? {})}` : body,
    language,
    template,
    // A reply to this very message may use its free reply token (LINE), while it lasts.
    replyToken,
  });
}

async function caseOwnerIsDiscreet(trx: Transaction<Database>, caseId: string | null): Promise<boolean> {
  if (!caseId) return false;
  return ownerWantsDiscretion(trx, await findCaseOwner(trx, caseId));
}

async function resolveReply(
  trx: Transaction<Database>,
  deps: InboundProcessorDeps,
  contact: LockedContact,
  answer: Reply,
  discreet: boolean,
): Promise<{ template: string; params: Record<string, string> }> {
  if (answer.lookup?.kind === 'status') {
    const found = answer.lookup.reference
      ? await findCaseOfContactByReference(trx, contact.id, answer.lookup.reference)
      : await findLatestCaseOfContact(trx, contact.id);
    if (!found) return { template: 'status.none', params: {} };
    const statusWord = render(deps.i18n, contact.language ?? 'en', `status.word.${found.status}`, {});
    return { template: 'status.reply', params: { reference: found.reference, status: statusWord } };
  }
  if (discreet && answer.template === 'help') return { template: 'discreet.help', params: answer.params ?? {} };
  // "Your case" would tell whoever reads a discreet worker's phone that there is one.
  if (discreet && answer.template.startsWith('erasure.')) return { template: `discreet.erasure_${answer.template.slice('erasure.'.length)}`, params: {} };
  if (discreet && answer.template === 'intake.done') return { template: 'discreet.done', params: await referenceOf(trx, contact.id) };
  if (answer.template === 'intake.done' || answer.template === 'discreet.done') {
    return { template: answer.template, params: await referenceOf(trx, contact.id) };
  }
  return { template: answer.template, params: answer.params ?? {} };
}

async function referenceOf(trx: Transaction<Database>, contactId: string): Promise<Record<string, string>> {
  const latest = await findLatestCaseOfContact(trx, contactId);
  return { reference: latest?.reference ?? '' };
}

/** Renders an SMS template in a language (fixed to the `sms` namespace). */
export function render(i18nInstance: i18n, language: Language, template: string, params: Record<string, string>): string {
  return i18nInstance.getFixedT(language, 'sms')(template, params);
}

/**
 * STATUS <reference> <PIN> from a channel: after the PIN check (wrong PINs count with the status
 * page's and lock the reference alike), this identity joins the case's worker. An identity whose
 * person had nothing else (no other identity) brings that person's cases along; otherwise only the
 * identity moves. The case's timeline and the audit log say so; the PIN is never kept.
 */
async function linkIdentity(
  trx: Transaction<Database>,
  deps: InboundProcessorDeps,
  contact: LockedContact,
  action: { reference: string; pin: string },
  outcome: TurnOutcome,
  now: Date,
): Promise<void> {
  // Counted in the turn's transaction (one connection on the embedded database), committed with it.
  const limiter = createRateLimiter({ db: trx, clock: deps.clock, cipher: deps.cipher });
  if (await limiter.isLocked(PIN_FAILURES_PER_REFERENCE, action.reference)) {
    outcome.link = 'locked';
    return;
  }
  const found = await findCaseForLink(trx, action.reference);
  if (!found || !pinMatches(deps.cipher, action.reference, action.pin, found.pin_hash)) {
    const decision = await limiter.hit(PIN_FAILURES_PER_REFERENCE, action.reference);
    outcome.link = decision.allowed ? 'failed' : 'locked';
    return;
  }
  await limiter.clear(PIN_FAILURES_PER_REFERENCE, action.reference);
  outcome.linkedReference = found.reference;
  if (found.person_id === contact.personId) {
    outcome.link = 'already';
    return;
  }
  const movedCases = await moveIdentityToPerson(trx, { contactId: contact.id, fromPersonId: contact.personId, toPersonId: found.person_id }, now);
  contact.personId = found.person_id;
  contact.sealer = await sealerFor(trx, deps.cipher, found.person_id);
  // The identity's words (and any cases that came along) go under the key of the worker they joined.
  await resealMovedValues(trx, deps.cipher, found.person_id);
  await insertCaseEvent(trx, { caseId: found.id, type: 'person.identity_linked', actorKind: 'worker', data: { channel: contact.channel, casesMoved: movedCases.length }, at: now });
  await recordAudit(trx, { actorKind: 'worker', actorUserId: null, ip: null, action: 'person.identity_linked', subjectType: 'case', subjectId: found.reference, caseId: found.id, details: { channel: contact.channel, casesMoved: movedCases.length } });
  outcome.link = 'done';
}
