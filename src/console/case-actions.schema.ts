import { z } from 'zod';

// The case page's forms for referrals, escalations and consent. Browsers post strings; these
// turn them into what the services take, naming the form's own fields when something is wrong.

/** "Refer to another organisation": the receiving organisation's slug, why, and how soon it must answer. */
export const referForm = z.object({
  to_organisation: z.string().trim().min(1).max(100),
  reason: z.string().trim().min(1).max(2000),
  response_hours: z.coerce.number().int().min(1).max(720).default(48),
});

/** An answer to a referral; a decline needs its reason (an empty box counts as none). */
export const referralStatusForm = z
  .object({
    status: z.enum(['accepted', 'declined', 'completed', 'withdrawn']),
    reason: z.string().trim().max(2000).optional().transform((value) => (value ? value : undefined)),
  })
  .refine((form) => form.status !== 'declined' || form.reason !== undefined, { message: 'required', path: ['reason'] });

/** "Escalate to the embassy": why. */
export const escalateForm = z.object({ reason: z.string().trim().min(1).max(2000) });

/** The worker's answer on sharing their details, and the words they used. */
export const consentForm = z.object({ given: z.enum(['yes', 'no']), wording: z.string().trim().min(1).max(1000) });

/** The identity a case's replies go to; empty: the one the worker used last. */
export const replyChannelForm = z.object({
  reply_contact_id: z.union([z.literal(''), z.string().uuid()]).transform((value) => (value === '' ? null : value)),
});

/** "Same worker as case …": the other case's reference. */
export const mergeForm = z.object({ other_reference: z.string().trim().min(1).max(40) });

/** A merge named in a path. */
export const mergeIdParam = z.object({ id: z.string().uuid() });
