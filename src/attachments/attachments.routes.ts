import { pipeline } from 'node:stream/promises';
import type { Request, Response } from 'express';
import { z } from 'zod';
import { referenceParam } from '../cases/cases.schema';
import type { CaseWorkDeps } from '../cases/case-access';
import type { AttachmentVariant } from '../db/schema';
import { principalOf } from '../http/access';
import type { RouteSpec } from '../http/routes';
import { validate } from '../http/validate';
import { ATTACHMENT_ROLES, openAttachmentFor, type AttachmentFile } from './attachment-access.service';

const access = { roles: ATTACHMENT_ROLES };
const attachmentParams = referenceParam.extend({ id: z.string().uuid() });

/**
 * Sends a file so that no browser runs or sniffs it: its stored type only, no caching, a sandbox
 * with nothing allowed, and a download (never a page) for anything but images and audio. The bytes
 * are piped, never held whole.
 */
async function sendFile(res: Response, file: AttachmentFile): Promise<void> {
  res.status(200).set({
    'Content-Type': file.contentType,
    'Content-Length': String(file.sizeBytes),
    'Cache-Control': 'no-store',
    'X-Content-Type-Options': 'nosniff',
    'Content-Security-Policy': "default-src 'none'; sandbox",
    'Content-Disposition': file.inline ? 'inline' : `attachment; filename="${file.fileName}"`,
  });
  try {
    await pipeline(file.stream, res);
  } catch (error) {
    // Headers went out with the first byte: a file that fails midway can only be cut short.
    if (!res.headersSent) throw error;
    res.destroy(error instanceof Error ? error : undefined);
  }
}

/** The attachment files of a case, for the console (`/console/cases/…`) and the API (`/api/v1/cases/…`). */
export function attachmentRoutes(deps: CaseWorkDeps): RouteSpec[] {
  const serve = (via: 'console' | 'api', variant: AttachmentVariant) => async (req: Request, res: Response) => {
    const { reference, id } = validate(attachmentParams, req.params);
    const file = await openAttachmentFor(deps, { principal: principalOf(res), ip: req.ip ?? null }, { reference, attachmentId: id, variant, via });
    await sendFile(res, file);
  };
  return [
    { method: 'get', path: '/console/cases/:reference/attachments/:id', access, handler: serve('console', 'original') },
    { method: 'get', path: '/console/cases/:reference/attachments/:id/thumbnail', access, handler: serve('console', 'thumbnail') },
    { method: 'get', path: '/api/v1/cases/:reference/attachments/:id', access, handler: serve('api', 'original') },
    { method: 'get', path: '/api/v1/cases/:reference/attachments/:id/thumbnail', access, handler: serve('api', 'thumbnail') },
  ];
}
