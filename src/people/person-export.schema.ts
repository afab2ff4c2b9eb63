import { z } from 'zod';
import { LANGUAGES } from '../cases/case.vocabulary';
import { NOTES_LEFT_OUT_REASONS } from './person-export.service';

// The paths and query of a person's copy: the console's page and JSON, the API's JSON, and the
// case page's form that leads to them.

/** A person named in a path. */
export const personIdParam = z.object({ personId: z.guid() });

/**
 * What a copy holds: `lang` (the page's language; unset, the worker's own), and whether staff
 * notes are left out — then `notes_reason` says why (required).
 */
export const personExportQuery = z
  .object({
    lang: z.enum(LANGUAGES).optional(),
    notes: z.enum(['include', 'leave_out']).default('include'),
    notes_reason: z.enum(NOTES_LEFT_OUT_REASONS).optional(),
  })
  .superRefine((query, context) => {
    if (query.notes === 'leave_out' && query.notes_reason === undefined) context.addIssue({ code: 'custom', path: ['notes_reason'], message: 'required' });
  });

/** The case page's form: the same choices, and the format to hand over. */
export const caseExportQuery = z.object({ format: z.enum(['html', 'json']).default('html') });
