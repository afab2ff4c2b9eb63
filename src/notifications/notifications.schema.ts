import { z } from 'zod';

/** Query of `GET /api/v1/notifications`. */
export const listNotificationsQuery = z
  .object({
    unread: z.enum(['true', 'false']).optional().transform((value) => value === 'true'),
    limit: z.coerce.number().int().min(1).max(200).default(50),
  })
  .strict();

/** Body of `PATCH /api/v1/notifications[/{id}]`: mark read. */
export const markReadBody = z.object({ read: z.literal(true) }).strict();

export const notificationIdParam = z.object({ id: z.uuid() });
