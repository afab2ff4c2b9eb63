import type { Readable } from 'node:stream';
import { recordAudit } from '../audit/audit.repository';
import { actorOf, caseOrNotFound, type Caller, type CaseWorkDeps } from '../cases/case-access';
import { findCaseInScope } from '../cases/case-query.repository';
import { caseViewOf } from '../cases/case.policy';
import type { AttachmentVariant } from '../db/schema';
import { listEscalationsOfCase } from '../escalations/escalation.repository';
import { errors } from '../http/errors';
import { attachmentPosition, findAttachmentWithCase, sealedVariantBytes } from './attachment-read.repository';
import { AttachmentNotStoredError, openSealed } from './attachment-store';
import { attachmentFileName, showsInline } from './attachment-view';

// Who may open an evidence file. Whoever cannot see the case gets 404, as for the case itself;
// whoever sees it only in the limited view (a partner or an embassy without the worker's consent)
// gets 403 and the refusal is audited; the full view opens it, and every opening is audited.

/** The roles that may ask for a file at all: case staff, and liaisons for the cases escalated to their embassy. */
export const ATTACHMENT_ROLES = ['caseworker', 'coordinator', 'liaison'] as const;

/** Thumbnails are WebP (see sanitize-image.ts). */
const THUMBNAIL_CONTENT_TYPE = 'image/webp';

/** What to send: the bytes as a stream, and what the response headers say of them. */
export interface AttachmentFile {
  stream: Readable;
  contentType: string;
  sizeBytes: number;
  /** `<reference>-<n>.<ext>`: the case and the file's place in it, nothing the sender wrote. */
  fileName: string;
  /** Images and audio may be shown in place; anything else (PDF) is saved, never rendered by the browser. */
  inline: boolean;
}

/** Which file, and from where it was asked (recorded in the audit line). */
export interface AttachmentRequest {
  reference: string;
  attachmentId: string;
  variant: AttachmentVariant;
  via: 'console' | 'api';
}

/**
 * The case by reference when the caller may see it: caseworkers and coordinators within their case
 * scope, a liaison when the case was escalated to their embassy. Otherwise 404, the refusal audited.
 */
export async function caseForAttachments(deps: CaseWorkDeps, caller: Caller, reference: string, action: string) {
  const { principal } = caller;
  if (principal.role !== 'liaison') return caseOrNotFound(deps, caller, reference, action);
  const found = await findCaseInScope(deps.db, { kind: 'network' }, reference);
  if (!found) throw errors.notFound();
  const escalations = await listEscalationsOfCase(deps.db, found.id);
  if (escalations.some((escalation) => escalation.embassy_organisation_id === principal.organisationId)) return found;
  await recordAudit(deps.db, { ...actorOf(caller), action: 'case.access_denied', subjectType: 'case', subjectId: reference, caseId: found.id, details: { attempted: action } });
  throw errors.notFound();
}

/**
 * Opens an attachment's original or thumbnail for the caller, after the access check: 404 outside
 * the case's readers or for a file not stored, 403 (audited) in the limited view. The opening is
 * audited as `attachment.viewed` before the first byte goes out.
 */
export async function openAttachmentFor(deps: CaseWorkDeps, caller: Caller, request: AttachmentRequest): Promise<AttachmentFile> {
  const found = await caseForAttachments(deps, caller, request.reference, 'attachment.viewed');
  const attachment = await findAttachmentWithCase(deps.db, request.attachmentId);
  // Another case's file is not there for this case, whoever may see the other one.
  if (!attachment || attachment.case_id !== found.id) throw errors.notFound();
  const audit = { ...actorOf(caller), subjectType: 'attachment', subjectId: attachment.id, caseId: found.id };
  const details = { variant: request.variant, kind: attachment.kind, via: request.via };
  if (caseViewOf(caller.principal, found.consent_given) !== 'full') {
    await recordAudit(deps.db, { ...audit, action: 'attachment.refused', details: { ...details, view: 'limited' } });
    throw errors.forbidden();
  }
  if (attachment.status !== 'stored' || (request.variant === 'thumbnail' && !attachment.has_thumbnail)) throw errors.notFound();
  const sizeBytes = request.variant === 'original' && attachment.size_bytes !== null
    ? Number(attachment.size_bytes)
    : await sealedVariantBytes(deps.db, attachment.id, request.variant);
  let stream: Readable;
  try {
    stream = await openSealed(deps, { attachmentId: attachment.id, variant: request.variant });
  } catch (error) {
    if (error instanceof AttachmentNotStoredError) throw errors.notFound();
    throw error;
  }
  await recordAudit(deps.db, { ...audit, action: 'attachment.viewed', details });
  const position = await attachmentPosition(deps.db, found.id, attachment.id);
  const contentType = request.variant === 'thumbnail' ? THUMBNAIL_CONTENT_TYPE : attachment.content_type ?? 'application/octet-stream';
  return {
    stream,
    contentType,
    sizeBytes,
    fileName: attachmentFileName(found.reference, position, contentType),
    inline: request.variant === 'thumbnail' || showsInline(attachment.kind),
  };
}
