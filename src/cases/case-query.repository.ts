import { sql, type Expression, type ExpressionBuilder, type Kysely, type SqlBool } from 'kysely';
import type { Database } from '../db/schema';
import type { CaseScope } from './case.policy';
import { caseVersion } from './case.repository';

type CasesEb = ExpressionBuilder<Database, 'cases'>;

/** A pending or accepted referral of the case to this organisation exists. */
function hasLiveReferralTo(eb: CasesEb, organisationId: string) {
  return eb.exists(
    eb
      .selectFrom('referrals')
      .select('referrals.id')
      .whereRef('referrals.case_id', '=', 'cases.id')
      .where('referrals.to_organisation_id', '=', organisationId)
      .where('referrals.status', 'in', ['pending', 'accepted']),
  );
}

/** The worker wrote last: nothing from us since their latest message. */
function awaitsOurReply(eb: CasesEb) {
  return eb.or([eb('cases.last_staff_message_at', 'is', null), eb('cases.last_staff_message_at', '<', eb.ref('cases.last_worker_message_at'))]);
}

/** The condition that keeps a query to the cases a scope may see. */
export function withinScope(eb: CasesEb, scope: CaseScope) {
  if (scope.kind === 'network') return eb.lit(true);
  return eb.or([
    eb('cases.owner_organisation_id', '=', scope.organisationId),
    hasLiveReferralTo(eb, scope.organisationId),
  ]);
}

export interface CaseFilters {
  status?: string[] | undefined;
  urgency?: string[] | undefined;
  category?: string[] | undefined;
  country?: string[] | undefined;
  province?: string[] | undefined;
  channel?: string[] | undefined;
  language?: string[] | undefined;
  assignedTo?: string | undefined;
  waiting?: boolean | undefined;
  /** Cases left unanswered past `overdueBefore`: no first response, or the worker's last message. */
  overdueBefore?: Date | undefined;
  reference?: string | undefined;
  /** The coordinators' triage queue: open cases that no organisation owns or has a live referral for. */
  triage?: boolean | undefined;
}

function applyFilters(eb: CasesEb, filters: CaseFilters, except?: keyof CaseFilters) {
  const conditions = [];
  const list = (key: keyof CaseFilters, column: 'cases.status' | 'cases.urgency' | 'cases.destination_country' | 'cases.destination_province' | 'cases.channel' | 'cases.language') => {
    const values = filters[key];
    if (key !== except && Array.isArray(values) && values.length > 0) conditions.push(eb(column, 'in', values));
  };
  list('status', 'cases.status');
  list('urgency', 'cases.urgency');
  list('country', 'cases.destination_country');
  list('province', 'cases.destination_province');
  list('channel', 'cases.channel');
  list('language', 'cases.language');
  if (filters.category?.length) conditions.push(eb('cases.categories', '&&', sql<string[]>`${sql.val(filters.category)}::text[]`));
  if (filters.assignedTo) conditions.push(eb('cases.assigned_user_id', '=', filters.assignedTo));
  if (filters.waiting) {
    conditions.push(eb.and([eb('cases.last_worker_message_at', 'is not', null), awaitsOurReply(eb)]));
  }
  if (filters.overdueBefore) {
    const before = filters.overdueBefore;
    conditions.push(eb.and([
      eb('cases.status', 'in', ['new', 'open', 'waiting', 'referred']),
      eb.or([
        eb.and([eb('cases.first_response_at', 'is', null), eb('cases.created_at', '<', before)]),
        eb.and([eb('cases.last_worker_message_at', '<', before), awaitsOurReply(eb)]),
      ]),
    ]));
  }
  if (filters.reference) conditions.push(eb('cases.reference', '=', filters.reference));
  if (filters.triage) {
    conditions.push(eb.and([
      eb('cases.owner_organisation_id', 'is', null),
      eb('cases.status', 'in', ['new', 'open', 'waiting', 'referred']),
      eb.not(eb.exists(eb.selectFrom('referrals').select('referrals.id').whereRef('referrals.case_id', '=', 'cases.id').where('referrals.status', 'in', ['pending', 'accepted']))),
    ]));
  }
  return eb.and(conditions);
}

export interface Cursor {
  updatedAt: string;
  id: string;
}

/** One page of cases, newest activity first, with a stable keyset cursor. */
export async function listCases(db: Kysely<Database>, scope: CaseScope, filters: CaseFilters, page: { limit: number; after?: Cursor | undefined }) {
  return db
    .selectFrom('cases')
    .leftJoin('organisations', 'organisations.id', 'cases.owner_organisation_id')
    .leftJoin('users as assignee', 'assignee.id', 'cases.assigned_user_id')
    .select([
      'cases.id', 'cases.reference', 'cases.status', 'cases.urgency', 'cases.categories', 'cases.channel', 'cases.language',
      'cases.origin_country', 'cases.destination_country', 'cases.destination_province', 'cases.assigned_user_id',
      'cases.last_worker_message_at', 'cases.last_staff_message_at', 'cases.created_at', 'cases.updated_at', 'organisations.slug as owner',
      'assignee.display_name as assignee_name',
      // Full microsecond precision for the cursor (a JavaScript Date keeps only milliseconds).
      sql<string>`${sql.ref('cases.updated_at')}::text`.as('cursor_at'),
    ])
    .where((eb) => withinScope(eb, scope))
    .where((eb) => applyFilters(eb, filters))
    .$if(page.after !== undefined, (qb) =>
      qb.where((eb) => eb(eb.refTuple('cases.updated_at', 'cases.id'), '<', eb.tuple(sql<Date>`${page.after?.updatedAt ?? ''}::timestamptz`, sql<string>`${page.after?.id ?? ''}::uuid`))),
    )
    .orderBy('cases.updated_at', 'desc')
    .orderBy('cases.id', 'desc')
    .limit(page.limit + 1)
    .execute();
}

/**
 * How many cases of each status match the other filters. For an organisation the scope is split
 * into the cases it owns and those referred to it (a union instead of an OR, so each part can use
 * an index; a live referral is unique per case and organisation, so nothing is counted twice).
 */
export async function countCasesByStatus(db: Kysely<Database>, scope: CaseScope, filters: CaseFilters): Promise<Record<string, number>> {
  const count = async (part: (eb: CasesEb) => Expression<SqlBool>) => {
    return db
      .selectFrom('cases')
      .select(['cases.status', (eb) => eb.fn.countAll<string>().as('count')])
      .where((eb) => part(eb))
      .where((eb) => applyFilters(eb, filters, 'status'))
      .groupBy('cases.status')
      .execute();
  };
  const parts =
    scope.kind === 'network'
      ? [await count(() => sql<SqlBool>`true`)]
      : [
          await count((eb) => eb('cases.owner_organisation_id', '=', scope.organisationId)),
          await count((eb) =>
            eb.and([
              eb.or([eb('cases.owner_organisation_id', 'is', null), eb('cases.owner_organisation_id', '!=', scope.organisationId)]),
              hasLiveReferralTo(eb, scope.organisationId),
            ]),
          ),
        ];
  const totals: Record<string, number> = {};
  for (const row of parts.flat()) totals[row.status] = (totals[row.status] ?? 0) + Number(row.count);
  return totals;
}

/** A case by reference, only within scope (outside it, it does not exist for this principal). */
export async function findCaseInScope(db: Kysely<Database>, scope: CaseScope, reference: string) {
  return db
    .selectFrom('cases')
    .leftJoin('organisations', 'organisations.id', 'cases.owner_organisation_id')
    .selectAll('cases')
    .select(['organisations.slug as owner', caseVersion('cases.updated_at').as('version')])
    .where('cases.reference', '=', reference)
    .where((eb) => withinScope(eb, scope))
    .executeTakeFirst();
}

/** The id of a case by reference, whatever the scope (for audit of a refused read). */
export async function findCaseId(db: Kysely<Database>, reference: string): Promise<string | undefined> {
  return (await db.selectFrom('cases').select('id').where('reference', '=', reference).executeTakeFirst())?.id;
}

/** A case's messages in order. */
export async function listMessagesOfCase(db: Kysely<Database>, caseId: string) {
  return db
    .selectFrom('messages')
    .select(['id', 'direction', 'channel', 'body_encrypted', 'status', 'error_code', 'encoding', 'segments', 'sent_by_user_id', 'created_at', 'status_updated_at'])
    .where('case_id', '=', caseId)
    .orderBy('sequence')
    .execute();
}

/** A case's notes in order, with their authors' names. */
export async function listNotesOfCase(db: Kysely<Database>, caseId: string) {
  return db
    .selectFrom('notes')
    .innerJoin('users', 'users.id', 'notes.author_user_id')
    .innerJoin('organisations', 'organisations.id', 'notes.organisation_id')
    .select(['notes.id', 'notes.organisation_id', 'notes.visibility', 'notes.body_encrypted', 'notes.created_at', 'users.display_name as author', 'organisations.name as organisation'])
    .where('notes.case_id', '=', caseId)
    .orderBy('notes.created_at')
    .orderBy('notes.id')
    .execute();
}

/**
 * Cases someone holds that have waited past `before` for our answer (as the `overdue` filter
 * reads it) and were not flagged yet for this wait: `since` is when the wait began (the case's
 * creation, or the worker's latest message once we had answered before).
 */
export async function listUnflaggedOverdueCases(db: Kysely<Database>, before: Date, limit: number) {
  const since = sql<Date>`case when ${sql.ref('cases.first_response_at')} is null then ${sql.ref('cases.created_at')} else ${sql.ref('cases.last_worker_message_at')} end`;
  return db
    .selectFrom('cases')
    .select(['cases.id', 'cases.assigned_user_id', 'cases.owner_organisation_id', since.as('since')])
    .where((eb) => applyFilters(eb, { overdueBefore: before }))
    .where((eb) => eb.or([eb('cases.owner_organisation_id', 'is not', null), eb('cases.assigned_user_id', 'is not', null)]))
    .where((eb) => eb.not(eb.exists(
      eb.selectFrom('case_events')
        .select('case_events.id')
        .whereRef('case_events.case_id', '=', 'cases.id')
        .where('case_events.type', '=', 'case.overdue')
        .where(sql<boolean>`(case_events.data->>'since')::timestamptz = date_trunc('milliseconds', ${since})`),
    )))
    .orderBy('cases.updated_at')
    .limit(limit)
    .execute();
}
