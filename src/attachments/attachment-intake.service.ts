import type { Kysely, Transaction } from 'kysely';
import { insertCaseEvent } from '../cases/case-event.repository';
import type { Clock } from '../clock';
import type { Database } from '../db/schema';
import type { HotlineJobEnqueuer } from '../jobs/hotline-jobs';
import type { JobContext } from '../jobs/job.types';
import type { PersonalDataCipher } from '../privacy/personal-data';
import { openerFor, resealUnder, type PersonOpener, type PersonSealer } from '../privacy/person-keys';
import { ingestAttachment } from './attachment-ingest';
import {
  adoptCaselessAttachments,
  findAttachmentToFetch,
  findProviderCopy,
  insertAttachment,
  markAttachmentFailed,
  markAttachmentRefused,
  markProviderCopyDeleted,
  recordAttachmentAttempt,
} from './attachment.repository';
import type { AttachmentRefusal } from './inspect';
import { deleteTwilioMedia, fetchMedia, MediaFailure, type MediaFetchConfig, type MediaFetchLimits, type MediaSource } from './media-fetch';

// A worker's media from a messaging channel: the webhook stored only where the file is; when the
// message is processed each file becomes a pending attachment and a job fetches it (retried, so a
// provider's hiccup loses nothing), checks and seals it, then has Twilio delete its own copy.

/** Which provider holds the media of a channel. */
export type MediaProvider = MediaSource['provider'];

/** The provider of a channel's media: Twilio carries SMS, WhatsApp, Messenger and the voice line's recordings. */
export function mediaProviderOf(channel: string): MediaProvider {
  if (channel === 'line') return 'line';
  if (channel === 'viber') return 'viber';
  return 'twilio';
}

/** A worker is told, in their language, that a file they sent was not kept (wired at the composition root). */
export type TellWorkerFileRefused = (trx: Transaction<Database>, refusal: { messageId: string; caseId: string | null; reason: AttachmentRefusal }) => Promise<void>;

export interface AttachmentIntakeDeps {
  db: Kysely<Database>;
  cipher: PersonalDataCipher;
  clock: Clock;
  jobs: Pick<HotlineJobEnqueuer, 'enqueue'>;
}

export interface AttachmentFetchDeps extends AttachmentIntakeDeps {
  media: MediaFetchConfig;
  mediaLimits?: MediaFetchLimits;
  tellWorker: TellWorkerFileRefused;
  /** How many times a fetch runs before the attachment is given up as failed (the job's attempts). */
  maxAttempts: number;
}

/** One media reference of an inbound message, its URL sealed as the message stores it. */
export interface InboundMediaReference {
  contentType: string;
  /** The URL sealed under the sender's person key (as in messages.media). */
  url: string;
}

/** Twilio keeps a copy (message media, call recordings) that is deleted once ours is stored. */
function twilioHoldsCopy(source: string): boolean {
  return source === 'twilio' || source === 'voice';
}

// Twilio's media id (ME…) is the last part of its Media URL; LINE's is the message id.
const TWILIO_MEDIA_ID = /\/Media\/(ME[0-9a-fA-F]{32})$/;
const LINE_CONTENT = /^line-content:(\d{1,32})$/;

function providerRefOf(provider: MediaProvider, url: string): string | null {
  if (provider === 'twilio') return TWILIO_MEDIA_ID.exec(url)?.[1] ?? null;
  if (provider === 'line') return LINE_CONTENT.exec(url)?.[1] ?? null;
  return null;
}

/**
 * Records each file of an inbound message as a pending attachment of the case (or of the person
 * alone until a case opens) and queues its fetch, in the caller's transaction.
 */
export async function recordInboundMedia(
  trx: Transaction<Database>,
  deps: AttachmentIntakeDeps & { opener?: PersonOpener; sealer?: PersonSealer },
  message: { id: string; channel: string; caseId: string | null; personId: string; media: readonly InboundMediaReference[] },
): Promise<number> {
  const provider = mediaProviderOf(message.channel);
  const opener = deps.opener ?? (await openerFor(trx, deps.cipher, message.media.map((item) => item.url)));
  for (const item of message.media) {
    const url = opener.open(item.url);
    const attachmentId = await insertAttachment(trx, {
      source: provider,
      caseId: message.caseId,
      messageId: message.id,
      personId: message.personId,
      // Under the person's key now (the identity may have joined another person since the message came).
      providerUrlEncrypted: deps.sealer ? resealUnder(opener, deps.sealer, item.url) : item.url,
      providerRef: providerRefOf(provider, url),
      at: deps.clock.now(),
    });
    await deps.jobs.enqueue(trx, 'attachment.fetch', { attachmentId });
  }
  return message.media.length;
}

/** Files a person sent before their case opened (a photo first, words after) join the case. */
export async function adoptAttachmentsIntoCase(trx: Transaction<Database>, personId: string, caseId: string): Promise<void> {
  await adoptCaselessAttachments(trx, personId, caseId);
}

/**
 * Fetches, checks and seals one pending attachment. A refused file (type, size, pixels) is recorded
 * and the worker told; a provider error that may pass is thrown for the job to retry, until the
 * last attempt marks it failed on the case. Already stored, refused or failed: nothing happens.
 */
export async function fetchInboundAttachment(
  deps: AttachmentFetchDeps,
  attachmentId: string,
  context: Pick<JobContext, 'attempt' | 'logger'>,
): Promise<{ source: string; outcome: 'stored' | 'refused' | 'failed' } | undefined> {
  const attachment = await findAttachmentToFetch(deps.db, attachmentId);
  if (!attachment || attachment.status !== 'pending' || !attachment.providerUrlEncrypted) return undefined;
  const url = (await openerFor(deps.db, deps.cipher, [attachment.providerUrlEncrypted])).openOrErased(attachment.providerUrlEncrypted);
  if (url === null) return undefined;
  const source = { provider: mediaProviderOf(attachment.source), url } as MediaSource;
  try {
    const stream = await fetchMedia(source, { config: deps.media, logger: context.logger, ...(deps.mediaLimits ? { limits: deps.mediaLimits } : {}) });
    const result = await ingestAttachment(deps, attachmentId, streamFailingAsMedia(stream), deps.mediaLimits ? { maxBytes: deps.mediaLimits.maxBytes } : undefined);
    await deps.db.transaction().execute(async (trx) => {
      if (result.status === 'stored') {
        if (attachment.caseId) await caseEvent(trx, deps, attachment.caseId, 'attachment.stored', { attachmentId, kind: result.kind });
        if (twilioHoldsCopy(attachment.source)) await deps.jobs.enqueue(trx, 'attachment.delete_provider_copy', { attachmentId });
        return;
      }
      await refused(trx, deps, attachment, result.reason);
    });
    context.logger.info({ attachmentId, outcome: result.status, ...(result.status === 'refused' ? { reason: result.reason } : { kind: result.kind }) }, 'inbound attachment fetched');
    return { source: attachment.source, outcome: result.status };
  } catch (error) {
    if (!(error instanceof MediaFailure)) throw error;
    return { source: attachment.source, outcome: await onFetchFailure(deps, attachment, error, context) };
  }
}

async function onFetchFailure(
  deps: AttachmentFetchDeps,
  attachment: { id: string; caseId: string | null; messageId: string | null },
  failure: MediaFailure,
  context: Pick<JobContext, 'attempt' | 'logger'>,
): Promise<'refused' | 'failed'> {
  if (failure.code === 'too_large') {
    await deps.db.transaction().execute((trx) => refused(trx, deps, attachment, 'too_large'));
    return 'refused';
  }
  if (failure.retriable && context.attempt < deps.maxAttempts) {
    await recordAttachmentAttempt(deps.db, attachment.id, 'retry');
    throw failure;
  }
  // Not the worker's doing (a host we do not fetch from, a provider that lost the file, or one
  // that kept failing): the message stays on the case and a caseworker sees the file is missing.
  await deps.db.transaction().execute(async (trx) => {
    await markAttachmentFailed(trx, attachment.id, failure.code);
    if (attachment.caseId) await caseEvent(trx, deps, attachment.caseId, 'attachment.failed', { attachmentId: attachment.id, reason: failure.code });
  });
  context.logger.warn({ attachmentId: attachment.id, code: failure.code, attempt: context.attempt }, 'inbound attachment could not be fetched');
  return 'failed';
}

async function refused(
  trx: Transaction<Database>,
  deps: AttachmentFetchDeps,
  attachment: { id: string; caseId: string | null; messageId: string | null },
  reason: AttachmentRefusal,
): Promise<void> {
  await markAttachmentRefused(trx, attachment.id, reason);
  if (attachment.caseId) await caseEvent(trx, deps, attachment.caseId, 'attachment.refused', { attachmentId: attachment.id, reason });
  if (attachment.messageId) await deps.tellWorker(trx, { messageId: attachment.messageId, caseId: attachment.caseId, reason });
}

/** Deletes Twilio's copy of a stored attachment's media or recording and records when; LINE and Viber keep no copy we can delete. */
export async function deleteProviderCopy(
  deps: Pick<AttachmentFetchDeps, 'db' | 'cipher' | 'clock' | 'media'>,
  attachmentId: string,
  context: Pick<JobContext, 'logger'>,
): Promise<void> {
  const copy = await findProviderCopy(deps.db, attachmentId);
  if (!copy || !twilioHoldsCopy(copy.source) || copy.providerDeletedAt || !copy.providerUrlEncrypted) return;
  // An erased person's copies are deleted by the erasure itself, by the provider's id.
  const url = (await openerFor(deps.db, deps.cipher, [copy.providerUrlEncrypted])).openOrErased(copy.providerUrlEncrypted);
  if (url === null) return;
  await deleteTwilioMedia(url, { config: deps.media, logger: context.logger });
  await markProviderCopyDeleted(deps.db, attachmentId, deps.clock.now());
  context.logger.info({ attachmentId }, "Twilio's copy of the media deleted");
}

async function caseEvent(trx: Transaction<Database>, deps: { clock: Clock }, caseId: string, type: string, data: Record<string, string>): Promise<void> {
  await insertCaseEvent(trx, { caseId, type, actorKind: 'system', data, at: deps.clock.now() });
}

/** The download's own errors stay MediaFailures (retried or not by their kind) while it is being sealed. */
async function* streamFailingAsMedia(stream: AsyncIterable<Uint8Array>): AsyncGenerator<Uint8Array> {
  try {
    yield* stream;
  } catch (error) {
    if (error instanceof MediaFailure) throw error;
    throw new MediaFailure(true, 'network', 'the media download failed midway');
  }
}
