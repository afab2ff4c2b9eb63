import type { Kysely } from 'kysely';
import type { Clock } from '../../clock';
import type { Database } from '../../db/schema';
import { validate } from '../../http/validate';
import { detectLanguage } from '../../language/script-detection';
import { normaliseBurmese } from '../../language/zawgyi';
import type { HotlineCounters } from '../../observability/hotline-counters';
import type { Logger } from '../../observability/logger';
import type { PersonalDataCipher } from '../../privacy/personal-data';
import type { InboundEvent } from '../channel';
import { applyMessageStatus } from './delivery-status';
import type { InboundSpool, SpooledRequest } from './inbound-spool';
import { inboundMessageSchema, mediaOf } from './inbound.schema';
import { createInboundBatcher } from './inbound-batcher';
import type { StoredInbound } from './inbound.repository';
import { storeInboundMessages } from './inbound-store';

export type ReceiveOutcome = 'stored' | 'replay' | 'spooled';

export interface InboundServiceDeps {
  db: Kysely<Database>;
  cipher: PersonalDataCipher;
  clock: Clock;
  logger: Logger;
  spool: InboundSpool;
  /** Called after a new message is stored, so its processing job starts now. */
  wake: () => void;
  /** Counts stored messages by channel; unset, nothing is counted. */
  counters?: Pick<HotlineCounters, 'inboundReceived' | 'outboundStatus'> | undefined;
}

// Control characters (other than tab and line breaks) and unpaired surrogates cannot be shown
// or sent back; the raw text keeps them.
// eslint-disable-next-line no-control-regex -- matching control characters is the point
const UNPRINTABLE = /[\u0000-\u0008\u000B\u000C\u000E-\u001F\u007F]|[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/g;

/** The text to show and process: printable, Unicode (Zawgyi converted), NFC. */
export function displayText(raw: string): string {
  return normaliseBurmese(raw.replace(UNPRINTABLE, '')).text.normalize('NFC');
}

function prepare(params: Record<string, unknown>, receivedAt: Date): StoredInbound {
  const parsed = validate(inboundMessageSchema, params);
  const body = displayText(parsed.Body);
  return {
    providerId: parsed.MessageSid,
    channel: parsed.From.channel,
    address: parsed.From.number,
    body,
    rawBody: parsed.Body,
    language: detectLanguage(body) ?? null,
    media: mediaOf(params, parsed.NumMedia),
    receivedAt,
  };
}

/** A provider's event as stored: words cleaned as Twilio's are; follows and unfollows with no words. */
export function prepareEvent(event: Exclude<InboundEvent, { kind: 'receipt' }>): StoredInbound {
  const raw = event.kind === 'message' ? event.text : '';
  const body = displayText(raw);
  return {
    providerId: event.providerId,
    channel: event.channel,
    address: event.address,
    body,
    rawBody: raw,
    language: event.kind === 'message' && !event.note ? (detectLanguage(body) ?? null) : null,
    media: event.kind === 'message' ? event.media : [],
    receivedAt: event.receivedAt,
    event: event.kind === 'message' ? (event.note ?? null) : event.kind,
    replyToken: event.kind === 'unfollow' ? null : (event.replyToken ?? null),
  };
}

/**
 * Takes an inbound message from Twilio's webhook: stores it (or, if the database fails, seals it
 * into the spool) before the webhook answers. Bad input throws a 400 naming the field.
 */
export function createInboundService(deps: InboundServiceDeps) {
  const batcher = createInboundBatcher({ store: (messages) => storeInboundMessages(deps.db, deps.cipher, messages) });

  async function store(prepared: StoredInbound): Promise<'stored' | 'replay'> {
    const { messageId } = await batcher.submit(prepared);
    if (!messageId) return 'replay';
    deps.counters?.inboundReceived(prepared.channel);
    deps.wake();
    return 'stored';
  }

  return {
    async receive(params: Record<string, unknown>): Promise<ReceiveOutcome> {
      const receivedAt = deps.clock.now();
      const prepared = prepare(params, receivedAt);
      try {
        return await store(prepared);
      } catch (error) {
        deps.logger.error({ err: error instanceof Error ? error.message : String(error) }, 'inbound message not stored; spooling it');
        deps.spool.write(prepared.providerId, { params: stringParams(params), receivedAt: receivedAt.toISOString() });
        return 'spooled';
      }
    },
    /**
     * Takes the parsed events of a provider's webhook (LINE, Viber): each message, follow and
     * unfollow is stored (or spooled) before the webhook answers; receipts move statuses forward.
     */
    async receiveEvents(events: readonly InboundEvent[]): Promise<ReceiveOutcome[]> {
      const outcomes: ReceiveOutcome[] = [];
      for (const event of events) {
        if (event.kind === 'receipt') {
          await applyMessageStatus(deps.db, deps.clock, {
            providerId: event.providerId, status: event.status, errorCode: event.errorCode,
          }, deps.counters);
          outcomes.push('stored');
          continue;
        }
        const prepared = prepareEvent(event);
        try {
          outcomes.push(await store(prepared));
        } catch (error) {
          deps.logger.error({ err: error instanceof Error ? error.message : String(error) }, 'inbound event not stored; spooling it');
          deps.spool.write(prepared.providerId, { prepared: toSpooled(prepared), receivedAt: prepared.receivedAt.toISOString() });
          outcomes.push('spooled');
        }
      }
      return outcomes;
    },
    /** Moves spooled messages into the database; returns how many were stored. */
    async drainSpool(): Promise<number> {
      return deps.spool.drain(async (request: SpooledRequest) => {
        await store(request.prepared ? fromSpooled(request.prepared) : prepare(request.params ?? {}, new Date(request.receivedAt)));
      });
    },
  };
}

type SpooledInbound = NonNullable<SpooledRequest['prepared']>;

function toSpooled(prepared: StoredInbound): SpooledInbound {
  return {
    ...prepared,
    receivedAt: prepared.receivedAt.toISOString(),
    replyToken: prepared.replyToken ? { token: prepared.replyToken.token, expiresAt: prepared.replyToken.expiresAt.toISOString() } : null,
  };
}

function fromSpooled(spooled: SpooledInbound): StoredInbound {
  return {
    ...spooled,
    receivedAt: new Date(spooled.receivedAt),
    replyToken: spooled.replyToken ? { token: spooled.replyToken.token, expiresAt: new Date(spooled.replyToken.expiresAt) } : null,
  };
}

function stringParams(params: Record<string, unknown>): Record<string, string> {
  return Object.fromEntries(Object.entries(params).map(([key, value]) => [key, String(value)]));
}

export type InboundService = ReturnType<typeof createInboundService>;
