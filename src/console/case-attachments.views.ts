import { ATTACHMENT_KINDS, type AttachmentCounts, type AttachmentItem } from '../attachments/attachment-view';
import { html, type SafeHtml } from '../http/html';
import type { TimelineEntry } from './case-timeline.views';
import { formatTime, type ConsolePageContext } from './console-shell';

// Evidence files on a case's timeline: beside the message they came with, or on their own line for
// a file sent through the web form. Everything is plain HTML (an <img>, an <audio> with controls,
// a link), so it works without script; the files come from the attachment routes, never inline.

/** The longest side of a stored thumbnail (sanitize-image.ts makes them so). */
const THUMBNAIL_MAX_SIDE = 320;

const FORMATS: Record<string, string> = {
  'image/jpeg': 'JPEG', 'image/png': 'PNG', 'image/webp': 'WebP', 'image/heic': 'HEIC', 'image/heif': 'HEIF', 'application/pdf': 'PDF',
  'audio/amr': 'AMR', 'audio/mp4': 'M4A', 'audio/aac': 'AAC', 'audio/ogg': 'Ogg', 'audio/mpeg': 'MP3', 'audio/wav': 'WAV',
};

const KIB = 1024;
const MIB = 1024 * 1024;

/** A size as people read it: "2.1 MB", "180 KB", "900 bytes" (units of 1,024), digits in the reader's language. */
export function formatFileSize(bytes: number, context: Pick<ConsolePageContext, 'language' | 't'>): string {
  const number = (value: number) => new Intl.NumberFormat(context.language, { maximumFractionDigits: 1 }).format(value);
  if (bytes >= MIB) return context.t('console:attachment.size.mb', { size: number(bytes / MIB) });
  if (bytes >= KIB) return context.t('console:attachment.size.kb', { size: number(bytes / KIB) });
  return context.t('console:attachment.size.bytes', { size: number(bytes) });
}

/** The thumbnail's own size: the photo scaled to fit THUMBNAIL_MAX_SIDE, never enlarged. */
function thumbnailSize(width: number | null, height: number | null): { width: number; height: number } | undefined {
  if (!width || !height) return undefined;
  const scale = Math.min(1, THUMBNAIL_MAX_SIDE / Math.max(width, height));
  return { width: Math.max(1, Math.round(width * scale)), height: Math.max(1, Math.round(height * scale)) };
}

/** What the file is, in words: its kind, format and size ("Photo · JPEG · 2.1 MB"). */
function describe(context: ConsolePageContext, item: AttachmentItem): string {
  const parts = [context.t(`console:attachment.kind.${item.kind ?? 'unknown'}`, { defaultValue: context.t('console:attachment.kind.unknown') })];
  const format = item.content_type ? FORMATS[item.content_type] : undefined;
  if (format) parts.push(format);
  if (item.size_bytes !== null) parts.push(formatFileSize(item.size_bytes, context));
  return parts.join(' · ');
}

/** One attachment: its preview or player and a link for a stored file, its state otherwise. */
function attachmentFigure(context: ConsolePageContext, reference: string, item: AttachmentItem, position: number): SafeHtml {
  const { t } = context;
  const base = `/console/cases/${reference}/attachments/${item.id}`;
  if (item.status === 'pending') return html`<div class="attachment pending"><p>${t('console:attachment.pending')}</p></div>`;
  if (item.status === 'failed') return html`<div class="attachment failed"><p>${t('console:attachment.failed')}</p></div>`;
  if (item.status === 'erased') return html`<div class="attachment erased"><p>${t('console:attachment.erased')}</p></div>`;
  if (item.status === 'refused') {
    const reason = t(`console:attachment.refused_reason.${item.refused_reason ?? 'unknown'}`, { defaultValue: t('console:attachment.refused_reason.unknown') });
    return html`<div class="attachment refused"><p>${t('console:attachment.refused', { reason })}</p></div>`;
  }
  const size = thumbnailSize(item.width, item.height);
  const preview = item.kind === 'image' && item.thumbnail_url
    ? html`<a href="${base}"><img src="${base}/thumbnail" alt="${t('console:attachment.alt', { position, reference })}"${size ? html` width="${size.width}" height="${size.height}"` : ''}></a>`
    : item.kind === 'audio'
      ? html`<audio controls preload="none" src="${base}"></audio>`
      : '';
  const link = item.kind === 'image' || item.kind === 'audio' ? t('console:attachment.open') : t('console:attachment.download');
  return html`<figure class="attachment ${item.kind ?? ''}">${preview}
<figcaption>${describe(context, item)} · <a href="${base}">${link}</a></figcaption></figure>`;
}

/** The attachments of a case, each numbered by its place in the case (as its download is named). */
function numbered(attachments: readonly AttachmentItem[]): { item: AttachmentItem; position: number }[] {
  return attachments.map((item, index) => ({ item, position: index + 1 }));
}

/** The attachments that came with one message, to show inside its timeline entry. */
export function attachmentsOfMessage(context: ConsolePageContext, reference: string, attachments: readonly AttachmentItem[], messageId: string): SafeHtml {
  return html`${numbered(attachments).filter(({ item }) => item.message_id === messageId).map(({ item, position }) => attachmentFigure(context, reference, item, position))}`;
}

/** Timeline entries for attachments that came with no message shown (web uploads), at the time they came. */
export function attachmentEntries(context: ConsolePageContext, reference: string, attachments: readonly AttachmentItem[], messageIds: ReadonlySet<string>): TimelineEntry[] {
  return numbered(attachments)
    .filter(({ item }) => item.message_id === null || !messageIds.has(item.message_id))
    .map(({ item, position }) => ({
      at: new Date(item.created_at),
      item: html`<li class="attachment-entry">
<p class="meta">${context.t('console:attachment.uploaded')} · ${formatTime(item.created_at, context)}</p>
${attachmentFigure(context, reference, item, position)}</li>`,
    }));
}

/** For the limited view: how many files of each kind the worker sent, and that they come with consent. */
export function withheldAttachments(context: ConsolePageContext, counts: AttachmentCounts): SafeHtml | '' {
  const kinds = ATTACHMENT_KINDS.filter((kind) => counts[kind] > 0);
  if (kinds.length === 0) return '';
  return html`<section class="attachments-withheld" aria-labelledby="attachments-heading">
<h2 id="attachments-heading">${context.t('console:attachment.heading')}</h2>
<ul>${kinds.map((kind) => html`<li>${context.t(`console:attachment.withheld.${kind}`, { count: counts[kind] })}</li>`)}</ul>
</section>`;
}

/** For a page without the case timeline (an escalation): every attachment, in the order they came. */
export function escalationAttachments(context: ConsolePageContext, reference: string, attachments: readonly AttachmentItem[]): SafeHtml | '' {
  if (attachments.length === 0) return '';
  return html`<section class="attachments" aria-labelledby="attachments-heading">
<h2 id="attachments-heading">${context.t('console:attachment.heading')}</h2>
<ul>${numbered(attachments).map(({ item, position }) => html`<li>${attachmentFigure(context, reference, item, position)}</li>`)}</ul>
</section>`;
}
