import type { Kysely } from 'kysely';
import type { Clock } from '../clock';
import type { Database } from '../db/schema';
import type { JobContext } from '../jobs/job.types';
import type { HotlineCounters } from '../observability/hotline-counters';
import { listPendingProviderCopies, markAttachmentCopyGone, recordProviderCopyAttempt } from './erasure.repository';
import { TwilioCopyFailure, type TwilioCopies } from './twilio-copies';

// The second half of an erasure: the copies Twilio keeps (messages, media, recordings, call logs) are deleted
// there, each try recorded on its row. A copy that fails is tried again by the job's retries, with
// backoff; after the job's last attempt it is recorded `failed`, for an operator to see.

/** What deleting the copies needs: the Twilio client and the job's last attempt. */
export interface ProviderCopyDeps {
  db: Kysely<Database>;
  clock: Clock;
  twilio: TwilioCopies;
  /** The job's attempts: after the last one a copy still refused is `failed`. */
  maxAttempts: number;
  counters?: Pick<HotlineCounters, 'providerCopyOutcome'> | undefined;
}

/** What one round did. */
export interface ProviderCopyRound {
  deleted: number;
  gone: number;
  failed: number;
  /** Left for the next attempt. */
  pending: number;
}

/** A round left copies to try again: the job fails so that it is retried with backoff. */
export class ProviderCopiesPending extends Error {
  override name = 'ProviderCopiesPending';
}

/**
 * Deletes each pending copy of an erasure at Twilio (404: already gone). Throws
 * ProviderCopiesPending when some must be tried again; nothing pending: does nothing.
 */
export async function deleteProviderCopies(deps: ProviderCopyDeps, erasureId: string, context: Pick<JobContext, 'attempt' | 'logger'>): Promise<ProviderCopyRound> {
  const round: ProviderCopyRound = { deleted: 0, gone: 0, failed: 0, pending: 0 };
  const lastAttempt = context.attempt >= deps.maxAttempts;
  for (const copy of await listPendingProviderCopies(deps.db, erasureId)) {
    try {
      const outcome = await deps.twilio.delete(copy.kind, copy.ref);
      await recordProviderCopyAttempt(deps.db, copy.id, { status: outcome, error: null, at: deps.clock.now() });
      if (copy.kind === 'media' || copy.kind === 'recording') await markAttachmentCopyGone(deps.db, copy.ref.split('/').at(-1) ?? copy.ref, deps.clock.now());
      round[outcome] += 1;
      deps.counters?.providerCopyOutcome(copy.kind, outcome);
    } catch (error) {
      const failure = error instanceof TwilioCopyFailure ? error : new TwilioCopyFailure(true, 'error', String(error));
      const gaveUp = lastAttempt || !failure.retriable;
      await recordProviderCopyAttempt(deps.db, copy.id, { status: gaveUp ? 'failed' : 'pending', error: failure.code, at: deps.clock.now() });
      if (gaveUp) {
        round.failed += 1;
        deps.counters?.providerCopyOutcome(copy.kind, 'failed');
      } else round.pending += 1;
    }
  }
  context.logger.info({ erasureId, ...round, attempt: context.attempt }, "Twilio's copies of erased data deleted");
  if (round.failed > 0) context.logger.warn({ erasureId, failed: round.failed }, "some of Twilio's copies could not be deleted; see erasure_provider_copies");
  if (round.pending > 0) throw new ProviderCopiesPending(`${round.pending} of Twilio's copies are to be tried again`);
  return round;
}
