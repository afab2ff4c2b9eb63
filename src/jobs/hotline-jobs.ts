import type { JobQueue } from './job.types';

/**
 * Every job the hotline runs, by name, with its payload type. Payloads carry ids only.
 * Services depend on this file alone (never on the catalogue, which depends on them): the
 * catalogue is assembled at the composition root, `hotline.ts`.
 */
export type HotlineJobs = {
  /** Deletes ended or expired sessions, spent rate-limit windows and finished outbox rows past their keeping time. */
  'maintenance.purge': Record<string, never>;
  /** Processes a contact's inbound messages in arrival order (conversation, case, replies). */
  'sms.process_inbound': { contactId: string };
  /** Sends one outbound SMS or WhatsApp message through Twilio. */
  'sms.send': { messageId: string };
  /** The SLA clock of one referral: expires it if still unanswered at its due time. */
  'referral.expire': { referralId: string };
  /** Expires every referral past due (a safety net should a delayed job be lost). */
  'referral.sweep': Record<string, never>;
  /** Flags cases left 48 hours without our answer and tells their teams (hourly). */
  'case.flag_overdue': Record<string, never>;
  /** Flags call-backs nobody made by the end of the worker's safe window and tells coordinators (hourly). */
  'callback.flag_missed': Record<string, never>;
  /** Fetches a worker's file from the provider that holds it, checks it, strips it and seals it. */
  'attachment.fetch': { attachmentId: string };
  /** Deletes Twilio's copy of a file once ours is stored. */
  'attachment.delete_provider_copy': { attachmentId: string };
  /** Files a caller's message on its case: a new case's opening, intake and routing (its row inserted first if the webhook could not), or the open case told. */
  'voice.file_message': { callId: string };
  /** Emails one notification to its reader. */
  'notification.email': { notificationId: string };
  /** Runs a confirmed erasure of a person's (or one case's) personal data. */
  'erasure.run': { erasureId: string };
  /** Tells a worker their own request to erase their data was refused, and why (or marks the case that they could not be told). */
  'erasure.tell_worker': { erasureId: string };
  /** Has Twilio delete the copies it keeps of what an erasure reached (messages, media, recordings), each recorded. */
  'erasure.delete_provider_copies': { erasureId: string };
  /** Erases personal data of cases past their retention period; purges old spool files, sessions, rate limits and notifications (daily). */
  'retention.run': Record<string, never>;
  /** Moves a batch of people's personal values from ENCRYPTION_KEY to their own keys, then queues the next batch (issue #16). */
  'keys.migrate': Record<string, never>;
};

/** The hotline's job queue, typed by its catalogue's payloads. */
export type HotlineJobQueue = JobQueue<HotlineJobs>;

/** The part of the queue a job handler may use: queueing follow-up work. */
export type HotlineJobEnqueuer = Pick<HotlineJobQueue, 'enqueue' | 'wake'>;
