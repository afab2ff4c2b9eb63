import { z } from 'zod';
import { commaList } from '../cases/cases.schema';
import { REFERRAL_STATUSES } from './referral.repository';

const flag = z.enum(['true', 'false']).optional().transform((value) => value === 'true');

/** Body of `POST /api/v1/cases/{reference}/referrals`. */
export const createReferralBody = z
  .object({
    /** Slug of the receiving organisation. */
    to_organisation: z.string().trim().min(1).max(100),
    reason: z.string().trim().min(1).max(2000),
    response_hours: z.number().int().min(1).max(720).default(48),
  })
  .strict();

/** Body of `PATCH /api/v1/referrals/{id}`: the new status; declining needs a reason. */
export const updateReferralBody = z
  .object({
    status: z.enum(['accepted', 'declined', 'completed', 'withdrawn']),
    reason: z.string().trim().min(1).max(2000).optional(),
  })
  .strict()
  .refine((body) => body.status !== 'declined' || body.reason !== undefined, { message: 'required', path: ['reason'] });

/** Query of `GET /api/v1/referrals`. */
export const listReferralsQuery = z
  .object({
    direction: z.enum(['incoming', 'outgoing', 'all']).default('incoming'),
    status: commaList(REFERRAL_STATUSES),
    overdue: flag,
    limit: z.coerce.number().int().min(1).max(200).default(50),
  })
  .strict();

export const referralIdParam = z.object({ id: z.uuid() });
