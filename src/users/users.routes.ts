import { principalOf } from '../http/access';
import type { RouteSpec } from '../http/routes';
import { ANY_ROLE } from './roles';

/** Routes about the signed-in user. */
export function userRoutes(): RouteSpec[] {
  return [
    {
      method: 'get',
      path: '/api/v1/me',
      access: { roles: ANY_ROLE },
      handler: (_req, res) => {
        const { userId, organisationId, role, locale } = principalOf(res);
        res.set('Cache-Control', 'no-store').json({ id: userId, organisationId, role, locale });
      },
    },
  ];
}
