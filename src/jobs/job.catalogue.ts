import type { i18n } from 'i18next';
import type { Kysely } from 'kysely';
import { z } from 'zod';
import { processInboundMessages } from '../channels/sms/inbound-processor';
import { sendQueuedMessage, type EnqueueSend } from '../channels/sms/outbound';
import type { MessageSender } from '../channels/senders';
import type { Clock } from '../clock';
import type { Database } from '../db/schema';
import type { DomainEventPublisher } from '../events/domain-events';
import type { PersonalDataCipher } from '../privacy/personal-data';
import { purgeExpiredRateLimits } from '../http/rate-limit.repository';
import { purgeExpiredSessions } from '../users/session.repository';
import { purgeFinishedJobs } from './outbox.repository';
import type { JobCatalogue } from './job.types';
import type { HotlineJobEnqueuer, HotlineJobs } from './hotline-jobs';
import { expireDueReferrals, expireReferral } from '../referrals/referral.service';
import { sendNotificationEmail } from '../notifications/notification-email';
import { flagOverdueCases } from '../cases/case-overdue.service';
import { flagMissedCallbacks } from '../channels/voice/callback.service';
import { fileCallMessage } from '../channels/voice/voice-message.service';
import type { Mailer } from '../notifications/mailer';
import type { HotlineCounters } from '../observability/hotline-counters';
import { deleteProviderCopy, fetchInboundAttachment } from '../attachments/attachment-intake.service';
import type { MediaFetchConfig } from '../attachments/media-fetch';
import { createFileRefusalReply } from '../channels/sms/attachment-refusal';
import { runErasure } from '../privacy/erasure.service';
import { tellWorkerOfRefusal } from '../channels/sms/erasure-refusal-notice';
import { runRetention } from '../privacy/retention.service';
import type { InboundSpool } from '../channels/sms/inbound-spool';
import { deleteProviderCopies } from '../privacy/provider-copies.service';
import { createTwilioCopies } from '../privacy/twilio-copies';
import { runKeyMigrationJob } from '../privacy/key-migration.service';

export type { HotlineJobs } from './hotline-jobs';

export interface CatalogueDeps {
  db: Kysely<Database>;
  clock: Clock;
  cipher: PersonalDataCipher;
  i18n: i18n;
  sender: MessageSender;
  publicUrl: string;
  /** TWILIO_WHATSAPP_TEMPLATE_SID: WhatsApp's news notice outside the 24-hour window. */
  whatsappTemplateSid?: string | undefined;
  /** Queues the send job of a message (the queue itself, bound after it is built). */
  enqueueSend: EnqueueSend;
  /** The queue itself, for handlers that queue follow-up work (bound after it is built). */
  jobs: HotlineJobEnqueuer;
  /** Where job handlers announce what happened (an expired referral). */
  events: DomainEventPublisher;
  /** Undefined when SMTP_URL is unset. */
  mailer: Mailer | undefined;
  /** The process's domain counters; unset, nothing is counted. */
  counters?: HotlineCounters | undefined;
  /** Where workers' media is fetched from, with which credentials. */
  media: MediaFetchConfig;
  /** RETENTION_MONTHS; unset, 24. */
  retentionMonths?: number | undefined;
  /** This process's inbound spool, purged of files the drain never stored; unset, none is purged. */
  spool?: Pick<InboundSpool, 'purgeOlderThan'> | undefined;
}

/** RETENTION_MONTHS when the configuration does not say. */
export const DEFAULT_RETENTION_MONTHS = 24;

const FINISHED_JOBS_KEPT_DAYS = 30;
const SEND_ATTEMPTS = 6;
/** About an hour of retries (5 s doubling) before a file is given up as failed. */
const FETCH_ATTEMPTS = 10;
/** About four hours of retries (a minute doubling) before a copy at Twilio is recorded as failed. */
const PROVIDER_COPY_ATTEMPTS = 9;
/**
 * About an hour of retries (5 s doubling) to file a caller's message on its case. The recording
 * (and, unless the webhook failed, the case's row) exist before the job runs: a job given up
 * leaves an unrouted case or a recording without its case, never a lost message.
 */
const FILE_MESSAGE_ATTEMPTS = 10;

/** Builds the catalogue, each handler closing over the dependencies it needs. */
export function createJobCatalogue(deps: CatalogueDeps): JobCatalogue<HotlineJobs> {
  const { db, clock } = deps;
  const workflow = { db, clock, cipher: deps.cipher, jobs: deps.jobs, mailEnabled: deps.mailer !== undefined, events: deps.events };
  return {
    'maintenance.purge': {
      payload: z.object({}).strict() as z.ZodType<Record<string, never>>,
      retry: { attempts: 3, backoffMs: 60_000 },
      async handle(_payload, { logger }) {
        const now = clock.now();
        const sessions = await purgeExpiredSessions(db, now);
        const rateLimits = await purgeExpiredRateLimits(db, now);
        const jobs = await purgeFinishedJobs(db, new Date(now.getTime() - FINISHED_JOBS_KEPT_DAYS * 86_400_000));
        logger.info({ sessions, rateLimits, jobs }, 'purged expired sessions, rate-limit windows and finished jobs');
      },
    },
    'sms.process_inbound': {
      payload: z.object({ contactId: z.uuid() }),
      retry: { attempts: 10, backoffMs: 2_000 },
      async handle({ contactId }) {
        await processInboundMessages({ ...deps, mailEnabled: deps.mailer !== undefined }, contactId);
      },
    },
    'sms.send': {
      payload: z.object({ messageId: z.uuid() }),
      retry: { attempts: SEND_ATTEMPTS, backoffMs: 5_000 },
      async handle({ messageId }, context) {
        await sendQueuedMessage({ ...deps, maxAttempts: SEND_ATTEMPTS }, messageId, context);
      },
    },
    'referral.expire': {
      payload: z.object({ referralId: z.uuid() }),
      retry: { attempts: 10, backoffMs: 30_000 },
      async handle({ referralId }, { logger }) {
        if (!(await expireReferral(workflow, referralId))) return;
        deps.counters?.referralsExpired(1);
        logger.info({ referralId }, 'referral expired unanswered');
      },
    },
    'referral.sweep': {
      payload: z.object({}).strict() as z.ZodType<Record<string, never>>,
      retry: { attempts: 3, backoffMs: 60_000 },
      async handle(_payload, { logger }) {
        const expired = await expireDueReferrals(workflow);
        deps.counters?.referralsExpired(expired);
        if (expired > 0) logger.info({ expired }, 'overdue referrals expired by the sweep');
      },
    },
    'case.flag_overdue': {
      payload: z.object({}).strict() as z.ZodType<Record<string, never>>,
      retry: { attempts: 3, backoffMs: 60_000 },
      async handle(_payload, { logger }) {
        const flagged = await flagOverdueCases(workflow);
        if (flagged > 0) logger.info({ flagged }, 'cases waiting 48 hours for an answer flagged');
      },
    },
    'callback.flag_missed': {
      payload: z.object({}).strict() as z.ZodType<Record<string, never>>,
      retry: { attempts: 3, backoffMs: 60_000 },
      async handle(_payload, { logger }) {
        const flagged = await flagMissedCallbacks(workflow);
        if (flagged > 0) logger.info({ flagged }, 'call-backs past their safe window flagged to coordinators');
      },
    },
    'attachment.fetch': {
      payload: z.object({ attachmentId: z.uuid() }),
      retry: { attempts: FETCH_ATTEMPTS, backoffMs: 5_000 },
      async handle({ attachmentId }, context) {
        const tellWorker = createFileRefusalReply(deps);
        const taken = await fetchInboundAttachment({ ...deps, tellWorker, maxAttempts: FETCH_ATTEMPTS }, attachmentId, context);
        if (taken) deps.counters?.attachmentOutcome(taken.source, taken.outcome);
      },
    },
    'attachment.delete_provider_copy': {
      payload: z.object({ attachmentId: z.uuid() }),
      retry: { attempts: 8, backoffMs: 60_000 },
      async handle({ attachmentId }, context) {
        await deleteProviderCopy(deps, attachmentId, context);
      },
    },
    'erasure.run': {
      payload: z.object({ erasureId: z.uuid() }),
      retry: { attempts: 5, backoffMs: 60_000 },
      async handle({ erasureId }, { logger }) {
        const outcome = await runErasure({ db, clock, cipher: deps.cipher, jobs: deps.jobs, events: deps.events, counters: deps.counters }, erasureId);
        if (outcome.ran) logger.info({ erasureId, status: outcome.status, ...outcome.summary }, outcome.status === 'done' ? 'personal data erased' : 'erasure refused: a case is under legal hold');
      },
    },
    'erasure.tell_worker': {
      payload: z.object({ erasureId: z.uuid() }),
      retry: { attempts: 10, backoffMs: 30_000 },
      async handle({ erasureId }, { logger }) {
        const outcome = await tellWorkerOfRefusal(deps, erasureId);
        if (outcome !== 'nothing_to_tell') logger.info({ erasureId, outcome }, 'worker told of their refused erasure request');
      },
    },
    'erasure.delete_provider_copies': {
      payload: z.object({ erasureId: z.uuid() }),
      retry: { attempts: PROVIDER_COPY_ATTEMPTS, backoffMs: 60_000 },
      async handle({ erasureId }, context) {
        const twilio = createTwilioCopies(deps.media.twilio);
        await deleteProviderCopies({ db, clock, twilio, maxAttempts: PROVIDER_COPY_ATTEMPTS, counters: deps.counters }, erasureId, context);
      },
    },
    'retention.run': {
      payload: z.object({}).strict() as z.ZodType<Record<string, never>>,
      retry: { attempts: 3, backoffMs: 10 * 60_000 },
      async handle(_payload, { logger }) {
        await runRetention({
          db, clock, cipher: deps.cipher, jobs: deps.jobs, events: deps.events, counters: deps.counters, logger,
          retentionMonths: deps.retentionMonths ?? DEFAULT_RETENTION_MONTHS, spool: deps.spool,
        });
      },
    },
    'voice.file_message': {
      payload: z.object({ callId: z.uuid() }),
      retry: { attempts: FILE_MESSAGE_ATTEMPTS, backoffMs: 5_000 },
      async handle({ callId }, { logger }) {
        const outcome = await fileCallMessage(workflow, callId);
        if (outcome !== 'filed') logger.info({ callId, outcome }, 'no call message left to file');
      },
    },
    'keys.migrate': {
      payload: z.object({}).strict() as z.ZodType<Record<string, never>>,
      retry: { attempts: 5, backoffMs: 60_000 },
      async handle(_payload, { logger }) {
        const step = await runKeyMigrationJob(workflow);
        logger.info({ phase: step.phase, people: step.people, values: step.values, migrated: step.migrated }, step.done ? 'personal values moved to per-person keys: done' : 'personal values moved to per-person keys: a batch');
      },
    },
    'notification.email': {
      payload: z.object({ notificationId: z.uuid() }),
      retry: { attempts: 8, backoffMs: 60_000 },
      async handle({ notificationId }, { logger }) {
        const result = await sendNotificationEmail(deps, notificationId);
        if (result === 'failed') logger.warn({ notificationId }, 'notification email refused by the mail server');
      },
    },
  };
}
