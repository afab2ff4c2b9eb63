import type { Kysely } from 'kysely';
import type { Database } from '../db/schema';
import { inTransaction } from '../db/transaction';
import type { HotlineJobQueue } from '../jobs/hotline-jobs';
import type { Clock } from '../clock';
import type { DomainEventPublisher } from '../events/domain-events';
import { insertCaseEvent } from './case-event.repository';
import { listUnflaggedOverdueCases } from './case-query.repository';
import { overdueSince } from './case-work.service';

/** How many overdue cases one run flags; the next run takes the rest. */
const PER_RUN = 500;

/**
 * Flags each held case that has waited 48 hours for our answer, once per wait: a `case.overdue`
 * event on its timeline and a notice to its team. Returns how many it flagged.
 */
export async function flagOverdueCases(deps: {
  db: Kysely<Database>; clock: Clock; jobs: Pick<HotlineJobQueue, 'enqueue' | 'wake'>; mailEnabled: boolean; events: DomainEventPublisher;
}): Promise<number> {
  const rows = await listUnflaggedOverdueCases(deps.db, overdueSince(deps.clock), PER_RUN);
  for (const row of rows) {
    await inTransaction(deps, async (trx) => {
      await insertCaseEvent(trx, { caseId: row.id, type: 'case.overdue', actorKind: 'system', data: { since: new Date(row.since).toISOString() }, at: deps.clock.now() });
      await deps.events.publish(trx, { type: 'case.overdue', caseId: row.id }, { clock: deps.clock, mailEnabled: deps.mailEnabled });
    });
  }
  return rows.length;
}
