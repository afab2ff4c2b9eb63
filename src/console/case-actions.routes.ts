import type { Request, Response } from 'express';
import { CASE_ROLES, caseScopeOf } from '../cases/case.policy';
import { findCaseInScope } from '../cases/case-read.service';
import { updateCaseFor } from '../cases/case-work.service';
import { referenceParam, updateCaseBody } from '../cases/cases.schema';
import { normaliseCaseReference } from '../cases/case-reference';
import { escalateByHand } from '../escalations/escalation.service';
import { principalOf } from '../http/access';
import { AppError, errors } from '../http/errors';
import type { RouteSpec } from '../http/routes';
import { validate } from '../http/validate';
import { findReferralCaseReference } from '../referrals/referral.service';
import { changeReferralStatus, referByHand } from '../referrals/referral.service';
import { referralIdParam } from '../referrals/referrals.schema';
import { mergePeopleFor, setReplyChannelFor, undoMergeFor } from '../people/person.service';
import { consentForm, escalateForm, mergeForm, mergeIdParam, referForm, referralStatusForm, replyChannelForm } from './case-actions.schema';
import { showCasePage, type CasePageDeps } from './case-page';
import { formProblemOf } from './form-problem';

const access = { roles: CASE_ROLES };

/** A reference as typed (any case, spaces around); one that is not a reference at all is 400 on the field. */
function normaliseReference(typed: string): string {
  const reference = normaliseCaseReference(typed);
  if (!reference) throw errors.validation([{ field: 'other_reference', reason: 'unknown_case' }]);
  return reference;
}

/** The text fields a form posted, to put back in it when it is refused. */
function postedText(req: Request, fields: readonly string[]): Record<string, string> {
  const body = (req.body ?? {}) as Record<string, unknown>;
  return Object.fromEntries(fields.flatMap((field) => (typeof body[field] === 'string' ? [[field, body[field]]] : [])));
}

/**
 * The case page's forms for consent, referrals, escalations, the reply channel and merges. A refusal the person can act on
 * (400, 403, 409) shows the case page again with the reason beside the form; success goes back
 * to the case (303).
 */
export function caseActionRoutes(deps: CasePageDeps): RouteSpec[] {
  const caller = (req: Request, res: Response) => ({ principal: principalOf(res), ip: req.ip ?? null });

  /** Does the work, or shows the case again with the form's problem; true when the work was done. */
  const attempt = async (req: Request, res: Response, reference: string, form: { name: string; fields: readonly string[] }, work: () => Promise<unknown>) => {
    try {
      await work();
      return true;
    } catch (error) {
      const problem = formProblemOf(error, deps.i18n.getFixedT(principalOf(res).locale), form.name, postedText(req, form.fields));
      if (!problem || !(error instanceof AppError)) throw error;
      await showCasePage(deps, req, res, reference, { status: error.status, problem });
      return false;
    }
  };

  /** A form on the case page itself: on success, back to the case. */
  const caseForm = (form: { name: string; fields: readonly string[] }, work: (req: Request, res: Response, reference: string) => Promise<unknown>) =>
    async (req: Request, res: Response) => {
      const { reference } = validate(referenceParam, req.params);
      if (await attempt(req, res, reference, form, () => work(req, res, reference))) res.redirect(303, `/console/cases/${reference}`);
    };

  return [
    {
      method: 'post',
      path: '/console/cases/:reference/consent',
      access,
      handler: caseForm({ name: 'consent', fields: ['wording'] }, async (req, res, reference) => {
        const form = validate(consentForm, req.body);
        await updateCaseFor(deps, caller(req, res), reference, validate(updateCaseBody, { consent: { given: form.given === 'yes', wording: form.wording } }));
      }),
    },
    {
      method: 'post',
      path: '/console/cases/:reference/referrals',
      access,
      handler: caseForm({ name: 'refer', fields: ['to_organisation', 'reason', 'response_hours'] }, (req, res, reference) =>
        referByHand(deps, caller(req, res), reference, validate(referForm, req.body))),
    },
    {
      method: 'post',
      path: '/console/cases/:reference/escalations',
      access,
      handler: caseForm({ name: 'escalate', fields: ['reason'] }, (req, res, reference) =>
        escalateByHand(deps, caller(req, res), reference, validate(escalateForm, req.body))),
    },
    {
      method: 'post',
      path: '/console/cases/:reference/reply-channel',
      access,
      handler: caseForm({ name: 'reply-channel', fields: [] }, (req, res, reference) =>
        setReplyChannelFor(deps, caller(req, res), reference, validate(replyChannelForm, req.body).reply_contact_id)),
    },
    {
      method: 'post',
      path: '/console/cases/:reference/merges',
      access,
      handler: caseForm({ name: 'merge', fields: ['other_reference'] }, (req, res, reference) =>
        mergePeopleFor(deps, caller(req, res), reference, normaliseReference(validate(mergeForm, req.body).other_reference))),
    },
    {
      method: 'post',
      path: '/console/cases/:reference/merges/:id/undo',
      access,
      handler: caseForm({ name: 'undo-merge', fields: [] }, (req, res) => undoMergeFor(deps, caller(req, res), validate(mergeIdParam, { id: req.params['id'] }).id)),
    },
    {
      method: 'post',
      path: '/console/referrals/:id',
      access,
      handler: async (req, res) => {
        const { id } = validate(referralIdParam, req.params);
        const reference = await findReferralCaseReference(deps.db, id);
        if (!reference) throw errors.notFound();
        const who = caller(req, res);
        const done = await attempt(req, res, reference, { name: `referral-${id}`, fields: ['reason'] }, () =>
          changeReferralStatus(deps, who, id, validate(referralStatusForm, req.body)));
        if (!done) return;
        // Declining or completing a referral can take the case out of the organisation's sight.
        const stillSeen = await findCaseInScope(deps.db, caseScopeOf(who.principal), reference);
        res.redirect(303, stillSeen ? `/console/cases/${reference}` : '/console/referrals');
      },
    },
  ];
}
