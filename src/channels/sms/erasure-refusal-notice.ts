import type { i18n } from 'i18next';
import type { Kysely } from 'kysely';
import { hasCaseEventWith, insertCaseEvent } from '../../cases/case-event.repository';
import { ownerWantsDiscretion } from '../../cases/case.repository';
import type { Clock } from '../../clock';
import type { Database } from '../../db/schema';
import { findErasureById, lockErasure, WORKER_ERASURE_SOURCES } from '../../erasures/erasure-request.repository';
import { listIdentitiesOfPerson } from '../../contacts/contact.repository';
import { isLanguage } from '../../language/negotiation';
import type { HotlineCounters } from '../../observability/hotline-counters';
import { sealerForContact } from '../../privacy/person-keys';
import type { PersonalDataCipher } from '../../privacy/personal-data';
import { replyRouteOf } from '../reply-identity';
import { findCaseForWorkerNotice } from './conversation.repository';
import { hasHeldReplies } from '../../messages/message.repository';
import { render } from './inbound-processor';
import { queueOutboundMessage, WHATSAPP_NEWS_TEMPLATE, type EnqueueSend } from './outbound';

// A worker whose own request to erase their data was refused is told so, and why, in their
// language, on the channel they last wrote on: silence would leave them believing their data gone,
// and a refused request must be answered with its reason (Thailand's PDPA). A discreet worker is
// told only that it could not be done yet. Where no channel can carry it — they wrote only on the
// web form or called, they opted out, Messenger's 24-hour window has closed — the case's timeline
// says they were not told, so that their caseworker tells them (on a call-back, for instance).

/** Requests that came from the worker themselves; an erasure staff started is not announced to them. */
const FROM_THE_WORKER: ReadonlySet<string> = new Set(WORKER_ERASURE_SOURCES);
export const WORKER_TOLD = 'erasure.worker_told';
export const WORKER_NOT_TOLD = 'erasure.worker_not_told';

/** What telling the worker needs: the outbound queue, the worker's words, and the WhatsApp template for a closed window. */
export interface RefusalNoticeDeps {
  db: Kysely<Database>;
  cipher: PersonalDataCipher;
  clock: Clock;
  i18n: i18n;
  enqueueSend: EnqueueSend;
  whatsappTemplateSid?: string | undefined;
  counters?: Pick<HotlineCounters, 'outboundStatus'> | undefined;
}

/** What came of it: told (or held behind WhatsApp's news template), not told (the timeline says why), or nothing to tell. */
export type RefusalNoticeOutcome = 'told' | 'held' | 'not_told' | 'nothing_to_tell';

/**
 * Tells the worker their erasure request was refused, once (the job may run again): a message on
 * their reply channel with the reason in their words, and a line on the case's timeline either way.
 */
export async function tellWorkerOfRefusal(deps: RefusalNoticeDeps, erasureId: string): Promise<RefusalNoticeOutcome> {
  return deps.db.transaction().execute(async (trx) => {
    if (!(await lockErasure(trx, erasureId))) return 'nothing_to_tell';
    const erasure = await findErasureById(trx, erasureId);
    if (!erasure || erasure.status !== 'refused' || !FROM_THE_WORKER.has(erasure.source) || !erasure.case_id) return 'nothing_to_tell';
    const caseId = erasure.case_id;
    if (await hasCaseEventWith(trx, caseId, [WORKER_TOLD, WORKER_NOT_TOLD], 'erasureId', erasureId)) return 'nothing_to_tell';
    const found = await findCaseForWorkerNotice(trx, caseId);
    if (!found) return 'nothing_to_tell';
    const now = deps.clock.now();
    const notTold = async (why: 'no_channel' | 'opted_out' | 'window_closed'): Promise<RefusalNoticeOutcome> => {
      await insertCaseEvent(trx, { caseId, type: WORKER_NOT_TOLD, actorKind: 'system', data: { erasureId, why }, at: now });
      return 'not_told';
    };
    const identities = (await listIdentitiesOfPerson(trx, erasure.person_id)).map((row) => ({
      id: row.id, channel: row.channel, isOptedOut: row.is_opted_out, isDiscreet: row.is_discreet, language: row.language, lastMessageAt: row.last_message_at,
    }));
    const route = replyRouteOf(identities, found.reply_contact_id, now, Boolean(deps.whatsappTemplateSid));
    if ('unreachable' in route) return notTold(route.unreachable === 'no_template' ? 'window_closed' : route.unreachable);
    const { target, holding } = route;

    // The language the worker chose on this channel (LANG) first, as the conversation answers them; else the case's.
    const language = isLanguage(target.language) ? target.language : isLanguage(found.language) ? found.language : 'en';
    const discreet = target.isDiscreet || (await ownerWantsDiscretion(trx, found.owner_organisation_id));
    const reason = erasure.refusal_reason ?? 'other';
    const template = discreet ? 'discreet.erasure_refused' : 'erasure.refused';
    const body = render(deps.i18n, language, template, discreet ? {} : { reason: render(deps.i18n, language, `erasure.refused_reason.${reason}`, {}) });
    const sealer = await sealerForContact(trx, deps.cipher, target.id);
    const queue = { ...deps, sealer };
    // Outside WhatsApp's window the approved "we have news" template goes first and the notice waits for the worker's answer.
    if (holding && !(await hasHeldReplies(trx, target.id))) {
      await queueOutboundMessage(trx, queue, {
        contactId: target.id, caseId, channel: target.channel, body: render(deps.i18n, language, WHATSAPP_NEWS_TEMPLATE, {}), language, template: WHATSAPP_NEWS_TEMPLATE,
      });
    }
    await queueOutboundMessage(trx, queue, { contactId: target.id, caseId, channel: target.channel, body, language, template, hold: holding });
    await insertCaseEvent(trx, { caseId, type: WORKER_TOLD, actorKind: 'system', data: { erasureId, channel: target.channel, held: holding }, at: now });
    return holding ? 'held' : 'told';
  });
}
