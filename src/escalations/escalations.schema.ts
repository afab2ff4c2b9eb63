import { z } from 'zod';
import { ESCALATION_STATUSES } from './escalation.repository';

/** Body of `POST /api/v1/cases/{reference}/escalations`. */
export const createEscalationBody = z
  .object({
    reason: z.string().trim().min(1).max(2000),
    /** Slug of an embassy; by default the liaison of the worker's nationality in the destination country. */
    embassy: z.string().trim().min(1).max(100).optional(),
  })
  .strict();

/** Body of `PATCH /api/v1/escalations/{id}`: acknowledge, or close with an outcome. */
export const updateEscalationBody = z
  .object({ status: z.enum(['acknowledged', 'closed']), outcome: z.string().trim().min(1).max(2000).optional() })
  .strict()
  .refine((body) => body.status !== 'closed' || body.outcome !== undefined, { message: 'required', path: ['outcome'] });

/** Body of `POST /api/v1/escalations/{id}/notes`. */
export const addEscalationNoteBody = z.object({ body: z.string().trim().min(1).max(5000) }).strict();

/** Query of `GET /api/v1/escalations`: open and acknowledged ones unless asked. */
export const listEscalationsQuery = z
  .object({
    status: z
      .string()
      .optional()
      .transform((value) => (value ? value.split(',').map((part) => part.trim()).filter(Boolean) : ['open', 'acknowledged']))
      .pipe(z.array(z.enum(ESCALATION_STATUSES)).min(1)),
    limit: z.coerce.number().int().min(1).max(200).default(50),
  })
  .strict();

export const escalationIdParam = z.object({ id: z.uuid() });
