import { generatePin, pinHashOf, pinMatches } from '../../cases/case-pin';
import type { i18n } from 'i18next';
import type { Kysely, Transaction } from 'kysely';
import { ingestAttachment, type IngestResult } from '../../attachments/attachment-ingest';
import { sealAttachmentsUnder } from '../../attachments/attachment-store';
import { deleteAttachments, insertAttachment, linkAttachmentsToCase } from '../../attachments/attachment.repository';
import { recordAudit } from '../../audit/audit.repository';
import { insertCaseEvent } from '../../cases/case-event.repository';
import { openCase } from '../../cases/case.service';
import { updateCase } from '../../cases/case.repository';
import { recordConsent } from '../../cases/consent.service';
import type { Language } from '../../cases/case.vocabulary';
import type { Clock } from '../../clock';
import { findOrCreateContact } from '../../contacts/contact.repository';
import type { Database } from '../../db/schema';
import type { DomainEventPublisher } from '../../events/domain-events';
import { inTransaction } from '../../db/transaction';
import type { HotlineJobQueue } from '../../jobs/hotline-jobs';
import { insertWebStatusMessage } from '../../messages/message.repository';
import { matchPlace } from '../../places/place-matcher';
import type { CountryCode } from '../../places/places';
import type { HotlineCounters } from '../../observability/hotline-counters';
import type { PersonalDataCipher } from '../../privacy/personal-data';
import { openerFor, sealerForCase, sealerForContact } from '../../privacy/person-keys';
import { queueOutboundMessage } from '../sms/outbound';
import { normalisePhone, type ReportForm } from './web.schema';
import { findCaseForStatus, latestCaseworkerReply } from './web.repository';
import { fileWorkerErasureRequest, findOpenErasureOf, findRefusedRequestOf, type WorkerErasureResult } from '../../erasures/erasure-request.service';

export interface WebIntakeDeps {
  db: Kysely<Database>;
  cipher: PersonalDataCipher;
  clock: Clock;
  i18n: i18n;
  jobs: Pick<HotlineJobQueue, 'enqueue' | 'wake'>;
  /** True when SMTP_URL is set: notices to staff are also emailed. */
  mailEnabled: boolean;
  /** Where a new report and a worker's addition are announced (routing and notifications subscribe). */
  events: DomainEventPublisher;
  /** Counts web reports and additions (received and processed at once) and queued confirmations. */
  counters?: Pick<HotlineCounters, 'inboundReceived' | 'inboundProcessed' | 'outboundStatus' | 'attachmentOutcome'> | undefined;
}

export { generatePin };

/** A file a worker sent with a form: its attachment, stored or refused (with the reason). */
export interface WebFile {
  attachmentId: string;
  result: IngestResult;
}

/** The files of one posted form, held as attachments without a case until the form is accepted. */
export interface WebUpload {
  /** Takes in one file as it arrives: a new attachment, checked, cleaned and sealed (or refused). */
  receive(bytes: AsyncIterable<Buffer>): Promise<WebFile>;
  /** Removes every attachment this upload made, also one that failed midway. */
  discard(): Promise<void>;
}

/**
 * Starts taking in a form's files. Each is ingested outside any case transaction (ingesting opens
 * its own, and an embedded database has one connection); the case takes them in its own
 * transaction later (`submitReport`, `addInformation`), or `discard` removes them.
 */
export function startWebUpload(deps: WebIntakeDeps, source: 'web' | 'status_page'): WebUpload {
  const made: string[] = [];
  return {
    async receive(bytes) {
      const attachmentId = await insertAttachment(deps.db, { source, at: deps.clock.now() });
      made.push(attachmentId);
      return { attachmentId, result: await ingestAttachment(deps, attachmentId, bytes) };
    },
    async discard() {
      await deleteAttachments(deps.db, made.splice(0));
    },
  };
}

/**
 * Gives a form's files to its case, their keys sealed again under the worker's own key (they were
 * taken in before the worker was known), each stored one on the timeline (by id: no name, no content).
 */
async function attachFiles(trx: Transaction<Database>, cipher: PersonalDataCipher, caseId: string, files: readonly WebFile[], at: Date): Promise<void> {
  if (files.length === 0) return;
  const ids = files.map((file) => file.attachmentId);
  await linkAttachmentsToCase(trx, ids, caseId);
  await sealAttachmentsUnder(trx, cipher, await sealerForCase(trx, cipher, caseId), ids);
  for (const file of files) {
    if (file.result.status !== 'stored') continue;
    await insertCaseEvent(trx, { caseId, type: 'attachment.added', actorKind: 'worker', data: { attachmentId: file.attachmentId }, at });
  }
}

/**
 * Takes a report from the web form: opens the case through the same case service as SMS, with a
 * hashed PIN, and queues a confirmation message when the worker gave a number.
 */
export async function submitReport(
  deps: WebIntakeDeps,
  form: ReportForm,
  language: Language,
  files: readonly WebFile[] = [],
): Promise<{ reference: string; pin: string }> {
  const pin = generatePin();
  const now = deps.clock.now();
  const place = form.province ? matchPlace(form.province) : {};
  const country = form.country && form.country !== 'other' ? form.country : (place.country ?? null);
  const consentWording = [
    deps.i18n.getFixedT(language, 'web')('report.consent_legend'),
    deps.i18n.getFixedT(language, 'web')('report.consent_text'),
    deps.i18n.getFixedT(language, 'web')(form.consent === 'yes' ? 'report.consent_yes' : 'report.consent_no'),
  ].join('\n');
  return inTransaction({ db: deps.db, jobs: deps.jobs }, async (trx) => {
    const contact =
      form.contact === 'none' ? null : await findOrCreateContact(trx, deps.cipher, { channel: form.contact, address: normalisePhone(form.phone), language });
    const sealer = contact ? await sealerForContact(trx, deps.cipher, contact.id) : undefined;
    // A reference is needed for the PIN's hash, so the case is opened first and the hash set after.
    const created = await openCase(trx, { ...deps, sealer }, {
      channel: 'web',
      language,
      contactId: contact?.id ?? null,
      story: form.story,
      receivedAt: now,
      categories: form.categories,
      sector: form.sector,
      originCountry: form.nationality && form.nationality !== 'other' ? form.nationality : null,
      destinationCountry: country as CountryCode | null,
      destinationProvince: place.province && (!country || place.country === country) ? place.province : null,
      locationRaw: form.province || null,
      gender: form.gender,
      ageBand: form.age_band,
      workersAffected: form.workers,
      employer: form.employer || null,
      consent: { given: form.consent === 'yes', wording: consentWording },
      intakeComplete: true,
    });
    await updateCase(trx, created.id, { pin_hash: pinHashOf(deps.cipher, created.reference, pin) }, now);
    await attachFiles(trx, deps.cipher, created.id, files, now);
    await deps.events.publish(trx, { type: 'case.opened', caseId: created.id });
    if (contact && !contact.isOptedOut) {
      await queueOutboundMessage(
        trx,
        { cipher: deps.cipher, sealer, clock: deps.clock, counters: deps.counters, enqueueSend: (tx, messageId) => deps.jobs.enqueue(tx, 'sms.send', { messageId }) },
        {
          contactId: contact.id,
          caseId: created.id,
          channel: contact.channel,
          body: deps.i18n.getFixedT(language, 'sms')('web.confirmation', { reference: created.reference }),
          language,
          template: 'web.confirmation',
        },
      );
    }
    return { reference: created.reference, pin };
  });
}

export interface CaseStatusView {
  caseId: string;
  personId: string;
  reference: string;
  status: string;
  latestReply: string | null;
  /** The worker's current answer on sharing their case with partners (null: not asked yet). */
  consentGiven: boolean | null;
  /** The worker's erasure request still open, if any: the page says by when, instead of offering the button. */
  erasure: { requestedAt: Date; dueAt: Date | null } | null;
  /** With none open, the worker's latest own request that coordinators refused: the page says why, and offers the button again. */
  refusedErasure: { requestedAt: Date; reason: string } | null;
}

/** The case a reference and PIN open, or undefined (the caller answers the same either way). */
export async function openCaseStatus(deps: WebIntakeDeps, reference: string, pin: string, ip: string | null): Promise<CaseStatusView | undefined> {
  const found = await findCaseForStatus(deps.db, reference);
  if (!found || !pinMatches(deps.cipher, reference, pin, found.pin_hash)) return undefined;
  const reply = await latestCaseworkerReply(deps.db, found.id);
  await recordAudit(deps.db, {
    actorKind: 'worker', action: 'case.read', subjectType: 'case', subjectId: reference, caseId: found.id, ip, details: { via: 'status_page' },
  });
  const erasure = (await findOpenErasureOf(deps.db, found.person_id)) ?? null;
  const refusedErasure = erasure ? null : ((await findRefusedRequestOf(deps.db, found.person_id)) ?? null);
  const latestReply = (await openerFor(deps.db, deps.cipher, [reply?.body_encrypted])).openOrErased(reply?.body_encrypted);
  return { caseId: found.id, personId: found.person_id, reference, status: found.status, latestReply, consentGiven: found.consent_given, erasure, refusedErasure };
}

/**
 * Adds what the worker wrote and sent on the status page to their case: the text as an inbound web
 * message, the files (already taken in, see `startWebUpload`) as the case's attachments.
 */
export async function addInformation(deps: WebIntakeDeps, view: CaseStatusView, text: string, ip: string | null, files: readonly WebFile[] = []): Promise<void> {
  const now = deps.clock.now();
  await inTransaction({ db: deps.db, jobs: deps.jobs }, async (trx) => {
    if (text !== '') {
      const sealer = await sealerForCase(trx, deps.cipher, view.caseId);
      const messageId = await insertWebStatusMessage(trx, { caseId: view.caseId, bodyEncrypted: sealer.seal(text), at: now });
      await insertCaseEvent(trx, { caseId: view.caseId, type: 'message.received', actorKind: 'worker', data: { messageId, channel: 'web' }, at: now });
    }
    await attachFiles(trx, deps.cipher, view.caseId, files, now);
    await updateCase(trx, view.caseId, { last_worker_message_at: now }, now);
    await deps.events.publish(trx, { type: 'case.worker_wrote', caseId: view.caseId });
    await recordAudit(trx, {
      actorKind: 'worker', action: 'case.updated', subjectType: 'case', subjectId: view.reference, caseId: view.caseId, ip,
      details: { via: 'status_page', ...(files.length > 0 ? { files: files.length } : {}) },
    });
  });
}

/**
 * Records the worker's own answer on sharing their case, given on the status page after the PIN:
 * the question and the answer as the page showed them, in the worker's language. A NO narrows
 * every partner's view at once.
 */
export async function changeConsentFromStatusPage(deps: WebIntakeDeps, view: CaseStatusView, given: boolean, language: Language, ip: string | null): Promise<void> {
  const t = deps.i18n.getFixedT(language, 'web');
  const wording = [t('report.consent_legend'), t('report.consent_text'), t(given ? 'report.consent_yes' : 'report.consent_no')].join('\n');
  const now = deps.clock.now();
  await inTransaction({ db: deps.db, jobs: deps.jobs }, async (trx) => {
    await recordConsent(trx, deps, { caseId: view.caseId, reference: view.reference }, { given, wording, source: 'status_page' }, {
      actorKind: 'worker', userId: null, organisationId: null, ip,
    }, now);
  });
}

/**
 * The worker's own erasure request from the status page, after the PIN and a confirmation step:
 * filed as a keyword's is (one open request per person), with the coordinators notified.
 */
export async function requestErasureFromStatusPage(deps: WebIntakeDeps, view: CaseStatusView, ip: string | null): Promise<WorkerErasureResult> {
  return inTransaction({ db: deps.db, jobs: deps.jobs }, (trx) =>
    fileWorkerErasureRequest(trx, deps, { personId: view.personId, caseId: view.caseId, source: 'status_page', channel: 'web', ip }));
}
