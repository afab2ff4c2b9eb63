import type { CaseView } from '../cases/case.policy';
import type { AttachmentReadRow } from './attachment-read.repository';

// An evidence file as staff see it. The full view lists every attachment with what it is and where
// to open it; the limited view (a partner or an embassy without the worker's consent) learns only
// how many photos, documents and voice messages there are — never a file, a thumbnail, a size or a
// name, since even those can tell who sent them.

/** The kinds of attachment, in the order they are counted. */
export const ATTACHMENT_KINDS = ['image', 'document', 'audio'] as const;
export type AttachmentKindName = (typeof ATTACHMENT_KINDS)[number];

/** How many stored attachments of each kind a case holds. */
export type AttachmentCounts = Record<AttachmentKindName, number>;

/** One attachment in the full view. */
export interface AttachmentItem {
  id: string;
  kind: string | null;
  content_type: string | null;
  size_bytes: number | null;
  status: string;
  refused_reason: string | null;
  width: number | null;
  height: number | null;
  created_at: Date;
  message_id: string | null;
  download_url: string | null;
  thumbnail_url: string | null;
}

/** The attachments part of a case as one reader sees it: the list in the full view, else null; counts in both. */
export interface CaseAttachments {
  attachments: AttachmentItem[] | null;
  attachment_counts: AttachmentCounts;
}

const EXTENSIONS: Record<string, string> = {
  'image/jpeg': 'jpg', 'image/png': 'png', 'image/webp': 'webp', 'image/heic': 'heic', 'image/heif': 'heif',
  'application/pdf': 'pdf', 'audio/amr': 'amr', 'audio/mp4': 'm4a', 'audio/aac': 'aac', 'audio/ogg': 'ogg',
  'audio/mpeg': 'mp3', 'audio/wav': 'wav',
};

/** The file name an attachment is downloaded under: the case reference and its place, never the sender's name. */
export function attachmentFileName(reference: string, position: number, contentType: string | null): string {
  return `${reference}-${position}.${(contentType && EXTENSIONS[contentType]) ?? 'bin'}`;
}

/** Whether a browser may show the file in place (images and audio) rather than save it. */
export function showsInline(kind: string | null): boolean {
  return kind === 'image' || kind === 'audio';
}

/** Counts the stored attachments of each kind; pending, refused and failed ones hold no file to share. */
export function countAttachments(rows: readonly Pick<AttachmentReadRow, 'status' | 'kind'>[]): AttachmentCounts {
  const counts: AttachmentCounts = { image: 0, document: 0, audio: 0 };
  for (const row of rows) {
    if (row.status === 'stored' && (ATTACHMENT_KINDS as readonly string[]).includes(row.kind ?? '')) counts[row.kind as AttachmentKindName] += 1;
  }
  return counts;
}

/** A case's attachments as one reader sees them; `base` is where its files are served (`/api/v1/cases/K7M-4QX`). */
export function presentAttachments(view: CaseView, base: string, rows: readonly AttachmentReadRow[]): CaseAttachments {
  const attachment_counts = countAttachments(rows);
  if (view !== 'full') return { attachments: null, attachment_counts };
  return {
    attachment_counts,
    attachments: rows.map((row) => {
      const stored = row.status === 'stored';
      return {
        id: row.id,
        kind: row.kind,
        content_type: row.content_type,
        size_bytes: row.size_bytes === null ? null : Number(row.size_bytes),
        status: row.status,
        refused_reason: row.refused_reason,
        width: row.width,
        height: row.height,
        created_at: row.created_at,
        message_id: row.message_id,
        download_url: stored ? `${base}/attachments/${row.id}` : null,
        thumbnail_url: stored && row.has_thumbnail ? `${base}/attachments/${row.id}/thumbnail` : null,
      };
    }),
  };
}
