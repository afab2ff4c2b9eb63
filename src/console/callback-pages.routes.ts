import type { Request, Response } from 'express';
import { z } from 'zod';
import {
  callBackNow,
  CALLER_OUTCOMES,
  hasOwnPhone,
  listCallbackQueue,
  recordOutcome,
  setOwnPhone,
  type CallbackActor,
  type CallbackServiceDeps,
} from '../channels/voice/callback.service';
import { principalOf } from '../http/access';
import type { RouteSpec } from '../http/routes';
import { validate } from '../http/validate';
import { CALLBACK_NOTICES, callbacksPage, type CallbackNotice } from './callback-pages.views';
import { consolePageContext, sendConsolePage, type ConsolePageDeps } from './console-shell';

/** The owner's staff (caseworkers, scoped to their organisation's cases in the service) and coordinators. */
const access = { roles: ['caseworker', 'coordinator'] } as const;

const E164 = /^\+[1-9]\d{6,14}$/;
const phoneForm = z.object({
  // Spaces, dots, dashes and brackets are how people write numbers; they are not part of it.
  phone: z.string().max(40).default('').transform((value) => value.replace(/[\s().-]/g, '')),
  remove: z.enum(['yes']).optional(),
});
const noticeQuery = z.object({ notice: z.enum(CALLBACK_NOTICES).optional().catch(undefined) });
const callParams = z.object({ callId: z.uuid() });
const outcomeParams = z.object({ attemptId: z.uuid() });
const outcomeForm = z.object({ outcome: z.enum(CALLER_OUTCOMES) });

const actorOf = (res: Response): CallbackActor => {
  const { userId, organisationId, role } = principalOf(res);
  return { userId, organisationId, role };
};

/** `/console/callbacks`: the call-back queue, "call back now", each try's outcome, and the caller's own phone. */
export function callbackPageRoutes(deps: ConsolePageDeps & { callbacks: CallbackServiceDeps }): RouteSpec[] {
  const show = async (req: Request, res: Response, status: number, notice: CallbackNotice | undefined) => {
    const actor = actorOf(res);
    const [rows, hasPhone] = await Promise.all([listCallbackQueue(deps.callbacks, actor), hasOwnPhone(deps.callbacks, actor.userId)]);
    sendConsolePage(res, status, callbacksPage(await consolePageContext(deps, req, res), { rows, hasPhone, maxAttempts: deps.callbacks.maxAttempts, notice }));
  };
  return [
    {
      method: 'get',
      path: '/console/callbacks',
      access,
      handler: (req, res) => show(req, res, 200, validate(noticeQuery, req.query).notice),
    },
    {
      method: 'post',
      path: '/console/callbacks/:callId/call',
      access,
      handler: async (req, res) => {
        const { callId } = validate(callParams, req.params);
        const result = await callBackNow(deps.callbacks, actorOf(res), callId);
        if (result.ok) {
          res.redirect(303, '/console/callbacks?notice=calling');
          return;
        }
        const status = result.reason === 'not_configured' || result.reason === 'twilio_failed' ? 503 : 409;
        await show(req, res, status, result.reason);
      },
    },
    {
      method: 'post',
      path: '/console/callbacks/attempts/:attemptId/outcome',
      access,
      handler: async (req, res) => {
        const { attemptId } = validate(outcomeParams, req.params);
        const { outcome } = validate(outcomeForm, req.body);
        const { closed } = await recordOutcome(deps.callbacks, actorOf(res), attemptId, outcome);
        res.redirect(303, `/console/callbacks?notice=${closed ? 'closed_now' : 'recorded'}`);
      },
    },
    {
      method: 'post',
      path: '/console/phone',
      access,
      handler: async (req, res) => {
        const form = validate(phoneForm, req.body);
        const { userId } = actorOf(res);
        if (form.remove) {
          await setOwnPhone(deps.callbacks, userId, null);
          res.redirect(303, '/console/callbacks?notice=phone_removed');
          return;
        }
        if (!E164.test(form.phone)) {
          res.redirect(303, '/console/callbacks?notice=phone_invalid');
          return;
        }
        await setOwnPhone(deps.callbacks, userId, form.phone);
        res.redirect(303, '/console/callbacks?notice=phone_saved');
      },
    },
  ];
}
