import crypto from 'node:crypto';
import type { Kysely, Transaction } from 'kysely';
import { setAsideErasedContacts } from '../../contacts/contact.repository';
import type { Database } from '../../db/schema';
import { newPersonKey, sealerForStoredKey, type PersonSealer } from '../../privacy/person-keys';
import type { StoredPersonKey } from '../../privacy/person-key.repository';
import type { PersonalDataCipher } from '../../privacy/personal-data';
import {
  findInboundSenders,
  insertInboundMessages,
  type FoundSender,
  type SealedInbound,
  type StoredInbound,
  type StoreResult,
} from './inbound.repository';

// The webhook's store, with each worker's words sealed under their own data key (issue #16). The
// key is known only once the sender's contact (and so their person) is: one query finds the
// batch's senders with their people and keys, then one statement writes new people, keys,
// contacts and messages. Two queries and one commit per batch, whatever its size.

/** How many times a batch is planned again when another writer made one of its contacts or keys first. */
const PLAN_ATTEMPTS = 3;

class PlanOvertaken extends Error {
  constructor() {
    super('another writer made a contact or key of this batch first');
    this.name = 'PlanOvertaken';
  }
}

interface SenderPlan {
  contactId: string | null;
  personId: string;
  newPerson: boolean;
  newKey: StoredPersonKey | null;
  sealer: PersonSealer;
}

function senderKey(message: StoredInbound, cipher: PersonalDataCipher): string {
  return `${message.channel}\u0000${cipher.lookupHash(message.address)}`;
}

/** Decides each sender's contact and person, and the key their words are sealed under. */
function planSenders(cipher: PersonalDataCipher, found: (FoundSender | undefined)[]): SenderPlan[] {
  const byPerson = new Map<string, { sealer: PersonSealer; newKey: StoredPersonKey | null }>();
  const keyOf = (personId: string, key: StoredPersonKey | undefined) => {
    const known = byPerson.get(personId);
    if (known) return known;
    let made: { sealer: PersonSealer; newKey: StoredPersonKey | null };
    if (key) {
      made = { sealer: sealerForStoredKey(cipher, key), newKey: null };
    } else {
      const fresh = newPersonKey(cipher, personId);
      made = { sealer: fresh.sealer, newKey: fresh.stored };
    }
    byPerson.set(personId, made);
    return made;
  };
  return found.map((sender) => {
    if (sender && !sender.erased) {
      const { sealer, newKey } = keyOf(sender.personId, sender.key);
      return { contactId: sender.contactId, personId: sender.personId, newPerson: false, newKey, sealer };
    }
    const personId = crypto.randomUUID();
    const { sealer, newKey } = keyOf(personId, undefined);
    return { contactId: null, personId, newPerson: true, newKey, sealer };
  });
}

function sealMessage(cipher: PersonalDataCipher, message: StoredInbound, plan: SenderPlan): SealedInbound {
  const { sealer } = plan;
  return {
    providerId: message.providerId,
    channel: message.channel,
    addressHash: cipher.lookupHash(message.address),
    contactId: plan.contactId,
    personId: plan.personId,
    newPerson: plan.newPerson,
    newKey: plan.newKey,
    addressEncrypted: sealer.seal(message.address),
    bodyEncrypted: sealer.seal(message.body),
    rawBodyEncrypted: message.rawBody !== message.body ? sealer.seal(message.rawBody) : null,
    language: message.language,
    media: JSON.stringify(message.media.map((item) => ({ contentType: item.contentType, url: sealer.seal(item.url) }))),
    receivedAt: message.receivedAt,
    event: message.event ?? null,
    replyToken: message.replyToken ?? null,
  };
}

async function storeOnce(trx: Transaction<Database>, cipher: PersonalDataCipher, messages: readonly StoredInbound[]): Promise<StoreResult[]> {
  const senderIndex = new Map<string, number>();
  const senders: { channel: string; knownHashes: string[] }[] = [];
  const senderOf = messages.map((message) => {
    const key = senderKey(message, cipher);
    let index = senderIndex.get(key);
    if (index === undefined) {
      index = senders.length;
      senderIndex.set(key, index);
      senders.push({ channel: message.channel, knownHashes: cipher.lookupHashes(message.address) });
    }
    return index;
  });
  const found = await findInboundSenders(trx, senders);
  const erased = [...found.values()].filter((sender) => sender.erased).map((sender) => sender.contactId);
  await setAsideErasedContacts(trx, erased);
  const plans = planSenders(cipher, senders.map((_, index) => found.get(index)));
  const stored = await insertInboundMessages(trx, messages.map((message, index) => sealMessage(cipher, message, plans[senderOf[index] as number] as SenderPlan)));
  if (stored.some((result) => !result.planHeld)) throw new PlanOvertaken();
  return stored.map(({ contactId, messageId }) => ({ contactId, messageId }));
}

/**
 * Stores a batch of inbound messages atomically: each contact (found under any key's lookup hash,
 * or created with a new person), each message sealed under its sender's person key (nothing if its
 * provider id is already stored) and, only for a new message, the job that will process it.
 * Results come back in the order given.
 */
export async function storeInboundMessages(db: Kysely<Database>, cipher: PersonalDataCipher, messages: readonly StoredInbound[]): Promise<StoreResult[]> {
  if (messages.length === 0) return [];
  for (let attempt = 1; ; attempt += 1) {
    try {
      return await db.transaction().execute((trx) => storeOnce(trx, cipher, messages));
    } catch (error) {
      if (!(error instanceof PlanOvertaken) || attempt >= PLAN_ATTEMPTS) throw error;
    }
  }
}
