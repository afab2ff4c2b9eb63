import type { Kysely } from 'kysely';
import type { Clock } from '../clock';
import type { Database } from '../db/schema';
import { ROLES } from '../cases/case.vocabulary';
import { principalOf } from '../http/access';
import { errors } from '../http/errors';
import type { RouteSpec } from '../http/routes';
import { validate } from '../http/validate';
import { countUnreadOf, isNotificationOf, listNotificationsOf, markNotificationsRead } from './notification-inbox.service';
import { listNotificationsQuery, markReadBody, notificationIdParam } from './notifications.schema';

/** Every signed-in person has their own notices. */
const access = { roles: ROLES };

/** A person's notices as the API shows them. */
export async function notificationsOf(deps: { db: Kysely<Database> }, userId: string, options: { unreadOnly: boolean; limit: number }) {
  const [rows, unread] = await Promise.all([listNotificationsOf(deps.db, userId, options), countUnreadOf(deps.db, userId)]);
  return {
    unread,
    data: rows.map((row) => ({ id: row.id, kind: row.kind, reference: row.reference, created_at: row.created_at, read: row.read_at !== null })),
  };
}

/** `/api/v1/notifications`: a person's own notices; nobody reads another's. */
export function notificationRoutes(deps: { db: Kysely<Database>; clock: Clock }): RouteSpec[] {
  return [
    {
      method: 'get',
      path: '/api/v1/notifications',
      access,
      handler: async (req, res) => {
        const query = validate(listNotificationsQuery, req.query);
        res.set('Cache-Control', 'no-store').json(await notificationsOf(deps, principalOf(res).userId, { unreadOnly: query.unread, limit: query.limit }));
      },
    },
    {
      method: 'patch',
      path: '/api/v1/notifications',
      access,
      handler: async (req, res) => {
        validate(markReadBody, req.body);
        const marked = await markNotificationsRead(deps.db, principalOf(res).userId, null, deps.clock.now());
        res.json({ marked });
      },
    },
    {
      method: 'patch',
      path: '/api/v1/notifications/:id',
      access,
      handler: async (req, res) => {
        const { id } = validate(notificationIdParam, req.params);
        validate(markReadBody, req.body);
        const userId = principalOf(res).userId;
        const marked = await markNotificationsRead(deps.db, userId, id, deps.clock.now());
        if (marked === 0) {
          if (!(await isNotificationOf(deps.db, userId, id))) throw errors.notFound();
        }
        res.status(204).end();
      },
    },
  ];
}
