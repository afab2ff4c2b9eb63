import type { Transaction } from 'kysely';
import { recordAudit, type AuditActorKind } from '../audit/audit.repository';
import type { ConsentSource, Database } from '../db/schema';
import type { PersonalDataCipher } from '../privacy/personal-data';
import { sealerForCase, type PersonSealer } from '../privacy/person-keys';
import { insertCaseEvent } from './case-event.repository';
import { updateCase } from './case.repository';
import type { Channel } from './case.vocabulary';

// The worker's answer on sharing their details with partner organisations decides what every
// partner and embassy liaison sees (see case.policy.ts), so it is recorded in one way whoever
// brings it: the answer with its wording (sealed, like all free text), how it reached us, who
// recorded it, a timeline event and an audit line. A later answer replaces the earlier one at
// once; a NO narrows every partner's view from the next read on.

/** The worker's answer and how it reached us. */
export interface ConsentAnswer {
  given: boolean;
  /** The question and answer in the words used (the template sent, or the words staff heard). */
  wording: string;
  source: ConsentSource;
}

/** Who recorded an answer: the worker themselves, or a member of staff (with their organisation). */
export interface ConsentRecorder {
  actorKind: AuditActorKind;
  userId: string | null;
  organisationId: string | null;
  ip: string | null;
  /** Where staff recorded it: the console or the API. */
  via?: 'console' | 'api';
}

/** The source of an answer a worker gave on the channel a case came in on. */
export function consentSourceOfChannel(channel: Channel): ConsentSource {
  return channel === 'sms' || channel === 'whatsapp' ? channel : 'web';
}

/** The consent columns of a case for an answer given now, the wording sealed under the worker's key. */
export function consentColumns(sealer: PersonSealer, answer: ConsentAnswer, recordedByUserId: string | null, now: Date) {
  return {
    consent_given: answer.given,
    consent_at: now,
    consent_wording_encrypted: sealer.seal(answer.wording),
    consent_wording: null,
    consent_source: answer.source,
    consent_recorded_by_user_id: recordedByUserId,
  };
}

/**
 * Records the worker's answer on a case in the caller's transaction: the case's consent fields,
 * a `case.consent_recorded` timeline event and an audit line naming who recorded it and how.
 * `deps.sealer`, when given, is the sealer of the case's person (else it is looked up).
 */
export async function recordConsent(
  trx: Transaction<Database>,
  deps: { cipher: PersonalDataCipher; sealer?: PersonSealer | undefined },
  target: { caseId: string; reference: string },
  answer: ConsentAnswer,
  recorder: ConsentRecorder,
  now: Date,
): Promise<void> {
  const sealer = deps.sealer ?? (await sealerForCase(trx, deps.cipher, target.caseId));
  await updateCase(trx, target.caseId, consentColumns(sealer, answer, recorder.userId, now), now);
  const byStaff = answer.source === 'staff';
  await insertCaseEvent(trx, {
    caseId: target.caseId,
    type: 'case.consent_recorded',
    actorKind: byStaff ? 'staff' : 'worker',
    actorUserId: recorder.userId,
    organisationId: recorder.organisationId,
    data: { given: answer.given, source: answer.source },
    at: now,
  });
  await recordAudit(trx, {
    actorKind: recorder.actorKind,
    actorUserId: recorder.userId,
    action: 'case.consent_recorded',
    subjectType: 'case',
    subjectId: target.reference,
    caseId: target.caseId,
    ip: recorder.ip,
    details: { given: answer.given, source: answer.source, ...(recorder.via ? { via: recorder.via } : {}) },
    at: now,
  });
}
