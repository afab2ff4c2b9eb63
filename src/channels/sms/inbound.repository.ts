import { sql, type Kysely } from 'kysely';
import type { Database } from '../../db/schema';
import type { PersonalDataCipher } from '../../privacy/personal-data';

/** The job that processes a contact's unprocessed inbound messages, in order. */
export const PROCESS_INBOUND_JOB = 'sms.process_inbound';

export interface StoredInbound {
  providerId: string;
  channel: 'sms' | 'whatsapp';
  address: string;
  /** The text as shown (Unicode); `rawBody` is kept as received when it differs (Zawgyi, controls). */
  body: string;
  rawBody: string;
  language: string | null;
  media: { contentType: string; url: string }[];
  receivedAt: Date;
}

/**
 * Stores an inbound message in one statement, so it is atomic without a transaction and costs
 * one round trip: the contact (found under any key's lookup hash, or created), the message
 * (sealed; nothing if this provider id is already stored) and, only for a new message, the job
 * that will process it. Returns whether the message is new.
 */
export async function storeInboundMessage(
  db: Kysely<Database>,
  cipher: PersonalDataCipher,
  message: StoredInbound,
): Promise<{ contactId: string; messageId: string | null }> {
  const hashes = cipher.lookupHashes(message.address);
  const media = message.media.map((item) => ({ contentType: item.contentType, url: cipher.seal(item.url) }));
  const result = await sql<{ contact_id: string; message_id: string | null }>`
    with existing as (
      select id from contacts
      where channel = ${message.channel} and address_hash = any(${sql.val(hashes)}::text[])
      order by created_at limit 1
    ), inserted as (
      insert into contacts (channel, address_hash, address_encrypted, last_message_at)
      select ${message.channel}, ${cipher.lookupHash(message.address)}, ${cipher.seal(message.address)}, ${message.receivedAt}
      where not exists (select 1 from existing)
      on conflict (channel, address_hash) do update set last_message_at = excluded.last_message_at
      returning id
    ), contact as (
      select id from existing union all select id from inserted limit 1
    ), message as (
      insert into messages (provider_id, direction, channel, contact_id, body_encrypted, raw_body_encrypted,
                            language, status, media, created_at, status_updated_at)
      select ${message.providerId}, 'in', ${message.channel}, contact.id, ${cipher.seal(message.body)},
             ${message.rawBody !== message.body ? cipher.seal(message.rawBody) : null},
             ${message.language}, 'received', ${JSON.stringify(media)}::jsonb, ${message.receivedAt}, ${message.receivedAt}
      from contact
      on conflict (provider_id) do nothing
      returning id, contact_id
    ), job as (
      insert into jobs_outbox (name, payload, run_after)
      select ${PROCESS_INBOUND_JOB}, jsonb_build_object('contactId', message.contact_id), ${message.receivedAt} from message
      returning id
    )
    select (select id from contact) as contact_id, (select id from message) as message_id, (select count(*) from job) as jobs`.execute(db);
  const row = result.rows[0];
  if (!row?.contact_id) throw new Error('inbound message was not stored');
  return { contactId: row.contact_id, messageId: row.message_id };
}
