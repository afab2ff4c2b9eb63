import { z } from 'zod';

/** The reasons a coordinator may give for erasing (retention's own is the schedule's, never chosen by hand). */
export const ERASURE_REASON_CHOICES = ['worker_request', 'legal_order', 'created_in_error', 'other'] as const;
/** The legal reasons an erasure may be refused for; `other` needs a note. */
export const REFUSAL_REASON_CHOICES = ['legal_hold', 'legal_obligation', 'identity_not_confirmed', 'other'] as const;

const NOTE_MAX = 2000;
const note = z.string().trim().max(NOTE_MAX).optional();

export const erasureIdParam = z.object({ id: z.uuid() });
export const legalHoldParams = z.object({ reference: z.string(), id: z.uuid() });

/** Body of `POST /api/v1/cases/{reference}/erasures`: erase the case's worker, for a reason (a second coordinator confirms). */
export const proposeErasureBody = z.object({ reason: z.enum(ERASURE_REASON_CHOICES), note }).strict();

/** Body of `PATCH /api/v1/erasures/{id}`: propose (with a reason), confirm (another coordinator), or refuse (with a legal reason). */
export const updateErasureBody = z.discriminatedUnion('status', [
  z.object({ status: z.literal('proposed'), reason: z.enum(ERASURE_REASON_CHOICES), note }).strict(),
  z.object({ status: z.literal('confirmed') }).strict(),
  z.object({ status: z.literal('refused'), refusal_reason: z.enum(REFUSAL_REASON_CHOICES), note }).strict(),
]);
export type UpdateErasureBody = z.output<typeof updateErasureBody>;

/** Body of `POST /api/v1/cases/{reference}/legal-holds`: why, and the last day it holds (YYYY-MM-DD). */
export const placeLegalHoldBody = z.object({ reason: z.string().trim().min(1).max(NOTE_MAX), until: z.iso.date() }).strict();
export type PlaceLegalHoldBody = z.output<typeof placeLegalHoldBody>;

/** Body of `PATCH /api/v1/cases/{reference}/legal-holds/{id}`: releasing the hold before its end. */
export const releaseLegalHoldBody = z.object({ released: z.literal(true) }).strict();
