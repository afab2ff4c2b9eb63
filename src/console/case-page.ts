import type { Request, Response } from 'express';
import { findCaseId, listCaseEvents } from '../cases/case-read.service';
import { readCaseFor, type CaseWorkDeps } from '../cases/case-work.service';
import { principalOf } from '../http/access';
import { markCaseNotificationsRead } from '../notifications/notification-inbox.service';
import { listReferableOrganisations } from '../orgs/organisation.service';
import { listAssignableColleagues } from '../users/admin.service';
import { listChannelsOfCase, listMergesOfCase } from '../people/person.service';
import { listCannedReplies } from './canned-replies.service';
import { caseErasureStateFor } from '../erasures/case-erasure.service';
import { casePage, type ReplyPreview } from './case-pages.views';
import { TIMELINE_EVENT_TYPES } from './case-timeline.views';
import { consolePageContext, sendConsolePage, type ConsolePageDeps } from './console-shell';
import type { FormProblem } from './form-problem';

/** What the case pages work with: case work, and the console's language, CSRF secret and cookies. */
export interface CasePageDeps extends CaseWorkDeps, ConsolePageDeps {}

/** How a case page is drawn this time: after a preview, or with a refused form and its status. */
export interface CasePageShowing {
  status?: number;
  preview?: ReplyPreview;
  problem?: FormProblem;
}

/**
 * Sends the case page for the signed-in reader (404 outside their scope). Opening a case marks
 * the reader's notices about it read, before the menu counts what is still unread.
 */
export async function showCasePage(deps: CasePageDeps, req: Request, res: Response, reference: string, showing: CasePageShowing = {}): Promise<void> {
  const principal = principalOf(res);
  const { detail: found, version } = await readCaseFor(deps, { principal, ip: req.ip ?? null }, reference);
  const caseId = await findCaseId(deps.db, found.reference);
  if (caseId) await markCaseNotificationsRead(deps.db, principal.userId, caseId, deps.clock.now());
  const [context, cannedReplies, colleagues, referralTargets, events, channels, merges, erasure] = await Promise.all([
    consolePageContext(deps, req, res),
    listCannedReplies(deps.db, found.language),
    listAssignableColleagues(deps.db, principal.organisationId),
    listReferableOrganisations(deps.db),
    caseId ? listCaseEvents(deps.db, caseId, TIMELINE_EVENT_TYPES) : Promise.resolve([]),
    // Addresses are personal data: the limited view (a partner without consent) sees none.
    caseId ? listChannelsOfCase(deps, caseId, found.view === 'full') : Promise.resolve(undefined),
    caseId && principal.role === 'coordinator' ? listMergesOfCase(deps, caseId) : Promise.resolve([]),
    caseId ? caseErasureStateFor(deps, { principal, ip: req.ip ?? null }, caseId) : Promise.resolve(undefined),
  ]);
  const page = casePage(context, found, {
    cannedReplies, colleagues, events, channels, merges, preview: showing.preview, problem: showing.problem, version, erasure,
    // Neither the reader's own organisation nor the one holding the case can be offered it.
    referralTargets: referralTargets.filter((target) => target.id !== principal.organisationId && target.slug !== found.owner),
    viewer: principal, now: deps.clock.now(),
  });
  sendConsolePage(res, showing.status ?? 200, page);
}
