import type { i18n } from 'i18next';
import type { Kysely } from 'kysely';
import { z } from 'zod';
import { processInboundMessages } from '../channels/sms/inbound-processor';
import { sendQueuedMessage, type EnqueueSend } from '../channels/sms/outbound';
import type { SmsSender } from '../channels/sms/twilio-sender';
import type { Clock } from '../clock';
import type { Database } from '../db/schema';
import type { PersonalDataCipher } from '../privacy/personal-data';
import { purgeExpiredSessions } from '../users/session.repository';
import { purgeFinishedJobs } from './outbox.repository';
import type { JobCatalogue } from './job.types';

/** Every job the hotline runs, by name, with its payload type. Payloads carry ids only. */
export type HotlineJobs = {
  /** Deletes ended or expired sessions and finished outbox rows past their keeping time. */
  'maintenance.purge': Record<string, never>;
  /** Processes a contact's inbound messages in arrival order (conversation, case, replies). */
  'sms.process_inbound': { contactId: string };
  /** Sends one outbound SMS or WhatsApp message through Twilio. */
  'sms.send': { messageId: string };
};

export interface CatalogueDeps {
  db: Kysely<Database>;
  clock: Clock;
  cipher: PersonalDataCipher;
  i18n: i18n;
  sender: SmsSender;
  publicUrl: string;
  /** Queues the send job of a message (the queue itself, bound after it is built). */
  enqueueSend: EnqueueSend;
}

const FINISHED_JOBS_KEPT_DAYS = 30;
const SEND_ATTEMPTS = 6;

/** Builds the catalogue, each handler closing over the dependencies it needs. */
export function createJobCatalogue(deps: CatalogueDeps): JobCatalogue<HotlineJobs> {
  const { db, clock } = deps;
  return {
    'maintenance.purge': {
      payload: z.object({}).strict() as z.ZodType<Record<string, never>>,
      retry: { attempts: 3, backoffMs: 60_000 },
      async handle(_payload, { logger }) {
        const now = clock.now();
        const sessions = await purgeExpiredSessions(db, now);
        const jobs = await purgeFinishedJobs(db, new Date(now.getTime() - FINISHED_JOBS_KEPT_DAYS * 86_400_000));
        logger.info({ sessions, jobs }, 'purged expired sessions and finished jobs');
      },
    },
    'sms.process_inbound': {
      payload: z.object({ contactId: z.uuid() }),
      retry: { attempts: 10, backoffMs: 2_000 },
      async handle({ contactId }) {
        await processInboundMessages(deps, contactId);
      },
    },
    'sms.send': {
      payload: z.object({ messageId: z.uuid() }),
      retry: { attempts: SEND_ATTEMPTS, backoffMs: 5_000 },
      async handle({ messageId }, context) {
        await sendQueuedMessage({ ...deps, maxAttempts: SEND_ATTEMPTS }, messageId, context);
      },
    },
  };
}
