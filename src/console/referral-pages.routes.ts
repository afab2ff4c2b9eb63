import { CASE_ROLES } from '../cases/case.policy';
import type { CaseWorkDeps } from '../cases/case-work.service';
import { principalOf } from '../http/access';
import type { RouteSpec } from '../http/routes';
import { listReferralsFor } from '../referrals/referral.service';
import { consolePageContext, sendConsolePage, type ConsolePageDeps } from './console-shell';
import { referralsPage } from './referral-pages.views';

/** How many referrals each list shows, soonest due first. */
const PER_LIST = 50;

/** `/console/referrals`: incoming, outgoing and overdue referrals (caseworkers and coordinators). */
export function referralPageRoutes(deps: CaseWorkDeps & ConsolePageDeps): RouteSpec[] {
  return [
    {
      method: 'get',
      path: '/console/referrals',
      access: { roles: CASE_ROLES },
      handler: async (req, res) => {
        const principal = principalOf(res);
        const caller = { principal, ip: req.ip ?? null };
        // A coordinator's own organisation (the network) is rarely a side of a referral: they watch
        // the network's pending and accepted referrals instead of their own incoming and outgoing.
        const network = principal.role === 'coordinator';
        const incoming = network
          ? await listReferralsFor(deps, caller, { direction: 'all', status: ['pending'], overdue: false, limit: PER_LIST })
          : await listReferralsFor(deps, caller, { direction: 'incoming', overdue: false, limit: PER_LIST });
        const outgoing = network
          ? await listReferralsFor(deps, caller, { direction: 'all', status: ['accepted'], overdue: false, limit: PER_LIST })
          : await listReferralsFor(deps, caller, { direction: 'outgoing', overdue: false, limit: PER_LIST });
        // Coordinators watch the whole network's deadlines; an organisation, its own.
        const overdue = await listReferralsFor(deps, caller, { direction: 'all', overdue: true, limit: PER_LIST });
        sendConsolePage(res, 200, referralsPage(await consolePageContext(deps, req, res), principal.role, { incoming, outgoing, overdue }));
      },
    },
  ];
}
