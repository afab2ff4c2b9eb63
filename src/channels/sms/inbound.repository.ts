import { sql, type Transaction } from 'kysely';
import type { Database } from '../../db/schema';
import type { StoredPersonKey } from '../../privacy/person-key.repository';
import type { InboundMedia, MessagingChannel, ReplyToken } from '../channel';

/** The job that processes a contact's unprocessed inbound messages, in order. */
export const PROCESS_INBOUND_JOB = 'sms.process_inbound';

export interface StoredInbound {
  providerId: string;
  channel: MessagingChannel;
  address: string;
  /** The text as shown (Unicode); `rawBody` is kept as received when it differs (Zawgyi, controls). */
  body: string;
  rawBody: string;
  language: string | null;
  media: InboundMedia[];
  receivedAt: Date;
  /** Not words: a follow, an unfollow (opt-out), a sticker or a location. */
  event?: 'follow' | 'unfollow' | 'sticker' | 'location' | null;
  /** LINE: the free reply token that came with it. */
  replyToken?: ReplyToken | null;
}

export interface StoreResult {
  contactId: string;
  /** Null when this provider id was already stored (a replay). */
  messageId: string | null;
}

/** A sender of a batch as found: their contact, person and the person's key (none yet). */
export interface FoundSender {
  contactId: string;
  personId: string;
  /** The contact or its person was erased: nothing more may be kept for them. */
  erased: boolean;
  key: StoredPersonKey | undefined;
}

/**
 * The contacts of these senders (by channel and any key's lookup hash), with their person and the
 * person's data key, in one query; a sender not known yet is absent from the map (keyed by index).
 */
export async function findInboundSenders(
  trx: Transaction<Database>,
  senders: readonly { channel: string; knownHashes: readonly string[] }[],
): Promise<Map<number, FoundSender>> {
  if (senders.length === 0) return new Map();
  const result = await sql<{ ordinal: string; contact_id: string; person_id: string; erased: boolean; key_id: string | null; key_encrypted: string | null }>`
    select i.ordinal, found.id as contact_id, found.person_id, found.erased, k.id as key_id, k.key_encrypted
    from unnest(${senders.map((sender) => sender.channel)}::text[], ${senders.map((sender) => sender.knownHashes.join(','))}::text[])
      with ordinality as i(channel, known_hashes, ordinal)
    cross join lateral (
      -- Through the unique index, under any key's hash. The person's row is share-locked: an
      -- erasure of this person that is running (it holds the row) is waited for, and then seen,
      -- so a message arriving in that instant goes to a new contact and is never sealed under the
      -- key the erasure destroys; an erasure that starts later waits for this message and erases it too.
      select c.id, c.person_id, (c.erased_at is not null or p.erased_at is not null) as erased
      from contacts c
      join people p on p.id = c.person_id
      where c.channel = i.channel and c.address_hash = any(string_to_array(i.known_hashes, ','))
      order by c.created_at
      limit 1
      for key share of p
    ) found
    left join person_keys k on k.person_id = found.person_id`.execute(trx);
  return new Map(result.rows.map((row) => [Number(row.ordinal) - 1, {
    contactId: row.contact_id,
    personId: row.person_id,
    erased: row.erased,
    key: row.key_id && row.key_encrypted ? { id: row.key_id, personId: row.person_id, keyEncrypted: row.key_encrypted } : undefined,
  }]));
}

/** An inbound message ready to store: its sender's contact and person decided, its text sealed under the person's key. */
export interface SealedInbound {
  providerId: string;
  channel: MessagingChannel;
  /** The current key's lookup hash of the sender's address. */
  addressHash: string;
  /** The sender's contact, or null for a new one (made with `addressEncrypted`). */
  contactId: string | null;
  personId: string;
  /** The person is new: made in the same statement. */
  newPerson: boolean;
  /** The person's new data key, stored in the same statement; null when they have one. */
  newKey: StoredPersonKey | null;
  addressEncrypted: string;
  bodyEncrypted: string;
  rawBodyEncrypted: string | null;
  language: string | null;
  /** JSON: content types and sealed URLs. */
  media: string;
  receivedAt: Date;
  event: string | null;
  replyToken: ReplyToken | null;
}

/** What storing one message did; `planHeld` is false when another writer made its contact or key first. */
export interface InsertedInbound extends StoreResult {
  planHeld: boolean;
}

/**
 * Stores inbound messages in one statement, in the caller's transaction: new people with their
 * keys, new contacts, each message (nothing if its provider id is already stored) and, only for a
 * new message, the job that will process it. A sender whose contact or key another writer made
 * meanwhile comes back with `planHeld` false: the caller rolls back and plans again. Results come
 * back in the order given.
 */
export async function insertInboundMessages(trx: Transaction<Database>, messages: readonly SealedInbound[]): Promise<InsertedInbound[]> {
  if (messages.length === 0) return [];
  const column = <T>(pick: (message: SealedInbound) => T) => messages.map(pick);
  const result = await sql<{ ordinal: number; contact_id: string; message_id: string | null; provider_id: string; plan_held: boolean }>`
    with input as (
      select * from unnest(
        ${column((m) => m.providerId)}::text[],
        ${column((m) => m.channel)}::text[],
        ${column((m) => m.addressHash)}::text[],
        ${column((m) => m.contactId)}::uuid[],
        ${column((m) => m.personId)}::uuid[],
        ${column((m) => m.newPerson)}::boolean[],
        ${column((m) => m.newKey?.id ?? null)}::uuid[],
        ${column((m) => m.newKey?.keyEncrypted ?? null)}::text[],
        ${column((m) => m.addressEncrypted)}::text[],
        ${column((m) => m.bodyEncrypted)}::text[],
        ${column((m) => m.rawBodyEncrypted)}::text[],
        ${column((m) => m.language)}::text[],
        ${column((m) => m.media)}::jsonb[],
        ${column((m) => m.receivedAt.toISOString())}::timestamptz[],
        ${column((m) => m.event)}::text[],
        ${column((m) => m.replyToken?.token ?? null)}::text[],
        ${column((m) => m.replyToken?.expiresAt.toISOString() ?? null)}::timestamptz[]
      ) with ordinality as t(provider_id, channel, address_hash, contact_id, person_id, new_person, key_id, key_encrypted,
                              address_encrypted, body_encrypted, raw_body_encrypted, language, media, received_at, event,
                              reply_token, reply_token_expires_at, ordinal)
    ), new_person as (
      insert into people (id)
      select distinct person_id from input where new_person
      returning id
    ), new_key as (
      insert into person_keys (id, person_id, key_encrypted)
      select distinct on (person_id) key_id, person_id, key_encrypted from input where key_id is not null order by person_id
      on conflict (person_id) do nothing
      returning person_id
    ), inserted as (
      insert into contacts (channel, address_hash, address_encrypted, last_message_at, person_id)
      select distinct on (i.channel, i.address_hash) i.channel, i.address_hash, i.address_encrypted, i.received_at, i.person_id
      from input i
      where i.contact_id is null
      order by i.channel, i.address_hash, i.received_at desc
      on conflict (channel, address_hash) do update set last_message_at = excluded.last_message_at
      returning channel, address_hash, id, person_id
    ), contact as (
      select distinct channel, address_hash, contact_id as id, person_id from input where contact_id is not null
      union all
      select channel, address_hash, id, person_id from inserted
    ), message as (
      insert into messages (provider_id, direction, channel, contact_id, body_encrypted, raw_body_encrypted,
                            language, status, media, created_at, status_updated_at, event, reply_token, reply_token_expires_at)
      select distinct on (i.provider_id) i.provider_id, 'in', i.channel, c.id, i.body_encrypted, i.raw_body_encrypted,
             i.language, 'received', i.media, i.received_at, i.received_at, i.event, i.reply_token, i.reply_token_expires_at
      from input i
      join contact c on c.channel = i.channel and c.address_hash = i.address_hash
      order by i.provider_id, i.ordinal
      on conflict (provider_id) do nothing
      returning id, contact_id, provider_id
    ), job as (
      insert into jobs_outbox (name, payload, run_after)
      select ${PROCESS_INBOUND_JOB}, jsonb_build_object('contactId', m.contact_id),
             (select i.received_at from input i where i.provider_id = m.provider_id order by i.ordinal limit 1)
      from message m
      returning id
    )
    select i.ordinal, c.id as contact_id, m.id as message_id, i.provider_id,
           (c.person_id = i.person_id and (i.key_id is null or exists (select 1 from new_key k where k.person_id = i.person_id))) as plan_held
    from input i
    join contact c on c.channel = i.channel and c.address_hash = i.address_hash
    left join message m on m.provider_id = i.provider_id
    order by i.ordinal`.execute(trx);
  if (result.rows.length !== messages.length) throw new Error('inbound messages were not all stored');
  // A provider id repeated inside one batch is stored once: its later copies are replays.
  const claimed = new Set<string>();
  return result.rows.map((row) => {
    const first = row.message_id !== null && !claimed.has(row.provider_id);
    if (row.message_id !== null) claimed.add(row.provider_id);
    return { contactId: row.contact_id, messageId: first ? row.message_id : null, planHeld: row.plan_held };
  });
}
