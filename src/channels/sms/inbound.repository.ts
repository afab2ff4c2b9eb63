import { sql, type Kysely } from 'kysely';
import type { Database } from '../../db/schema';
import type { PersonalDataCipher } from '../../privacy/personal-data';
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

/**
 * Stores inbound messages in one statement, so a batch is atomic without a transaction and costs
 * one round trip and one commit: each contact (found under any key's lookup hash, or created),
 * each message (sealed; nothing if its provider id is already stored) and, only for a new
 * message, the job that will process it. Results come back in the order given.
 */
export async function storeInboundMessages(
  db: Kysely<Database>,
  cipher: PersonalDataCipher,
  messages: readonly StoredInbound[],
): Promise<StoreResult[]> {
  if (messages.length === 0) return [];
  const column = <T>(pick: (message: StoredInbound) => T) => messages.map(pick);
  const result = await sql<{ ordinal: number; contact_id: string; message_id: string | null; provider_id: string }>`
    with input as (
      select * from unnest(
        ${column((m) => m.providerId)}::text[],
        ${column((m) => m.channel)}::text[],
        ${column((m) => cipher.lookupHash(m.address))}::text[],
        ${column((m) => cipher.lookupHashes(m.address).join(','))}::text[],
        ${column((m) => cipher.seal(m.address))}::text[],
        ${column((m) => cipher.seal(m.body))}::text[],
        ${column((m) => (m.rawBody !== m.body ? cipher.seal(m.rawBody) : null))}::text[],
        ${column((m) => m.language)}::text[],
        ${column((m) => JSON.stringify(m.media.map((item) => ({ contentType: item.contentType, url: cipher.seal(item.url) }))))}::jsonb[],
        ${column((m) => m.receivedAt.toISOString())}::timestamptz[],
        ${column((m) => m.event ?? null)}::text[],
        ${column((m) => m.replyToken?.token ?? null)}::text[],
        ${column((m) => m.replyToken?.expiresAt.toISOString() ?? null)}::timestamptz[]
      ) with ordinality as t(provider_id, channel, address_hash, known_hashes, address_encrypted, body_encrypted,
                              raw_body_encrypted, language, media, received_at, event, reply_token, reply_token_expires_at, ordinal)
    ), existing as (
      -- a lateral lookup per sender, so each is found through the unique index, under any key's hash
      select i.channel, i.address_hash, found.id
      from (select distinct channel, address_hash, known_hashes from input) i
      cross join lateral (
        select c.id from contacts c
        where c.channel = i.channel and c.address_hash = any(string_to_array(i.known_hashes, ','))
        order by c.created_at
        limit 1
      ) found
    ), inserted as (
      insert into contacts (channel, address_hash, address_encrypted, last_message_at)
      select distinct on (i.channel, i.address_hash) i.channel, i.address_hash, i.address_encrypted, i.received_at
      from input i
      where not exists (select 1 from existing e where e.channel = i.channel and e.address_hash = i.address_hash)
      order by i.channel, i.address_hash, i.received_at desc
      on conflict (channel, address_hash) do update set last_message_at = excluded.last_message_at
      returning channel, address_hash, id
    ), contact as (
      select channel, address_hash, id from existing
      union all
      select channel, address_hash, id from inserted
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
    select i.ordinal, c.id as contact_id, m.id as message_id, i.provider_id
    from input i
    join contact c on c.channel = i.channel and c.address_hash = i.address_hash
    left join message m on m.provider_id = i.provider_id
    order by i.ordinal`.execute(db);
  if (result.rows.length !== messages.length) throw new Error('inbound messages were not all stored');
  // A provider id repeated inside one batch is stored once: its later copies are replays.
  const claimed = new Set<string>();
  return result.rows.map((row) => {
    const first = row.message_id !== null && !claimed.has(row.provider_id);
    if (row.message_id !== null) claimed.add(row.provider_id);
    return { contactId: row.contact_id, messageId: first ? row.message_id : null };
  });
}
