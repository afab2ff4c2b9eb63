import type { Clock } from '../clock';
import { ROLES } from '../cases/case.vocabulary';
import { principalOf } from '../http/access';
import type { RouteSpec } from '../http/routes';
import { listNotificationsOf, markNotificationsRead } from '../notifications/notification-inbox.service';
import { consolePageContext, sendConsolePage, type ConsolePageDeps } from './console-shell';
import { notificationsPage } from './notification-pages.views';

/** Every signed-in person has their own notices. */
const access = { roles: ROLES };
/** How many notices the page shows, newest first. */
const SHOWN = 100;

/** `/console/notifications`: a person's own notices, and marking them all read. */
export function notificationPageRoutes(deps: ConsolePageDeps & { clock: Clock }): RouteSpec[] {
  return [
    {
      method: 'get',
      path: '/console/notifications',
      access,
      handler: async (req, res) => {
        const principal = principalOf(res);
        const rows = await listNotificationsOf(deps.db, principal.userId, { unreadOnly: false, limit: SHOWN });
        sendConsolePage(res, 200, notificationsPage(await consolePageContext(deps, req, res), principal.role, rows));
      },
    },
    {
      method: 'post',
      path: '/console/notifications/read',
      access,
      handler: async (_req, res) => {
        await markNotificationsRead(deps.db, principalOf(res).userId, null, deps.clock.now());
        res.redirect(303, '/console/notifications');
      },
    },
  ];
}
