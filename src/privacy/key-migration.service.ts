import type { Kysely, Transaction } from 'kysely';
import type { Clock } from '../clock';
import type { Database } from '../db/schema';
import type { HotlineJobEnqueuer } from '../jobs/hotline-jobs';
import { hasWaitingJob, DISPATCH_LEASE_MS } from '../jobs/outbox.repository';
import { isPersonSealed, openerFor, sealerFor, sealersForPeople, type PersonSealer } from './person-keys';
import type { PersonalDataCipher } from './personal-data';
import {
  SEALED_COLUMNS,
  countLegacyValues,
  findKeyMigrationProgress,
  listLegacyCaselessAttachments,
  listLegacyRowsOfPeople,
  listPeopleAfter,
  lockKeyMigrationProgress,
  saveKeyMigrationProgress,
  updateSealedValues,
  type KeyMigrationProgress,
  type LegacyRow,
  type ResealedRow,
  type SealedTable,
} from './key-migration.repository';

// Moves the personal values sealed before per-person keys (`v1.`, under ENCRYPTION_KEY alone) to
// their person's own key (issue #16), a batch of people at a time, one transaction per batch with
// its checkpoint, so it resumes where it stopped. Only values still `v1.` are touched: a run from
// scratch is correct too, and a value the running hotline writes meanwhile is already `p1.`.

/** The job that runs one batch and queues the next until nothing is left. */
export const KEY_MIGRATION_JOB = 'keys.migrate';

/** People per batch: a transaction of a few thousand values. */
export const KEY_MIGRATION_BATCH = 500;

export interface KeyMigrationDeps {
  db: Kysely<Database>;
  cipher: PersonalDataCipher;
  clock: Clock;
}

/** What one batch did. */
export interface KeyMigrationStep {
  /** Nothing is left to walk. */
  done: boolean;
  phase: KeyMigrationProgress['phase'];
  people: number;
  /** Values sealed again under their person's key in this batch. */
  values: number;
  /** Values sealed again since the migration started. */
  migrated: number;
}

const LEGACY_PREFIX = 'v1.';

function isLegacy(value: unknown): value is string {
  return typeof value === 'string' && value.startsWith(LEGACY_PREFIX);
}

/** The media references of a message with their picked URLs sealed again; undefined when none is picked. */
function resealMedia(media: unknown, picked: (url: string) => boolean, reseal: (value: string) => string): unknown[] | undefined {
  const urlOf = (item: unknown) => (item as { url?: unknown } | null)?.url;
  const isPicked = (url: unknown): url is string => typeof url === 'string' && picked(url);
  if (!Array.isArray(media) || !media.some((item) => isPicked(urlOf(item)))) return undefined;
  return media.map((item) => {
    const url = urlOf(item);
    return isPicked(url) ? { ...(item as object), url: reseal(url) } : item;
  });
}

/**
 * Seals values of rows again under their people's keys — those `stale` picks (still `v1.`, or not
 * under the owner's key) — and writes them; returns how many.
 */
async function resealRows(
  trx: Transaction<Database>,
  cipher: PersonalDataCipher,
  rows: readonly LegacyRow[],
  sealers: ReadonlyMap<string, PersonSealer>,
  stale: (value: string, sealer: PersonSealer) => boolean,
): Promise<number> {
  const picked = (row: LegacyRow) => {
    const sealer = sealers.get(row.personId);
    const urls = Array.isArray(row.media) ? row.media.map((item) => (item as { url?: unknown } | null)?.url) : [];
    return sealer ? [...row.values, ...urls].filter((value): value is string => typeof value === 'string' && stale(value, sealer)) : [];
  };
  const opener = await openerFor(trx, cipher, rows.flatMap(picked), [...sealers.values()]);
  const byTable = new Map<SealedTable, ResealedRow[]>();
  let values = 0;
  for (const row of rows) {
    const sealer = sealers.get(row.personId);
    if (!sealer) continue;
    const reseal = (value: string) => {
      values += 1;
      return sealer.seal(opener.open(value));
    };
    const next = row.values.map((value) => (value !== null && stale(value, sealer) ? reseal(value) : null));
    const newMedia = row.table === 'messages' ? resealMedia(row.media, (url) => stale(url, sealer), reseal) : undefined;
    if (next.every((value) => value === null) && !newMedia) continue;
    const list = byTable.get(row.table) ?? [];
    list.push({ id: row.id, old: row.values, new: next, ...(newMedia ? { oldMedia: row.media, newMedia } : {}) });
    byTable.set(row.table, list);
  }
  for (const table of Object.keys(SEALED_COLUMNS) as SealedTable[]) await updateSealedValues(trx, table, byTable.get(table) ?? []);
  return values;
}

const legacyOnly = (value: string) => isLegacy(value);

/** Seals a batch's legacy values again under their people's keys (made for those who have none); returns how many. */
async function resealLegacyRows(trx: Transaction<Database>, cipher: PersonalDataCipher, rows: readonly LegacyRow[]): Promise<number> {
  const sealers = await sealersForPeople(trx, cipher, [...new Set(rows.map((row) => row.personId))]);
  return resealRows(trx, cipher, rows, sealers, legacyOnly);
}

/**
 * Seals every value of a person's rows that is not under their key — rows that just moved to them
 * (a merge, an identity linked by reference and PIN, a merge undone) — under it, in the caller's
 * transaction; returns how many. A person's data is then always under their own key alone, so
 * destroying it erases them. Legacy `v1.` values are left to the migration.
 */
export async function resealMovedValues(trx: Transaction<Database>, cipher: PersonalDataCipher, personId: string): Promise<number> {
  const sealer = await sealerFor(trx, cipher, personId);
  const rows = await listLegacyRowsOfPeople(trx, [personId], { kind: 'not_under', keyId: sealer.keyId });
  return resealRows(trx, cipher, rows, new Map([[personId, sealer]]), (value, owner) => isPersonSealed(value) && !owner.holds(value));
}

/**
 * Runs one batch: the next people's values (then, once every person is done, attachments that have
 * a person but no case yet), with the checkpoint, in one transaction. The checkpoint row is locked
 * meanwhile, so two runners take turns and never do a batch twice.
 */
export async function migrateKeysStep(
  deps: KeyMigrationDeps,
  batchSize = KEY_MIGRATION_BATCH,
  andThen?: (trx: Transaction<Database>, step: KeyMigrationStep) => Promise<unknown>,
): Promise<KeyMigrationStep> {
  return deps.db.transaction().execute(async (trx) => {
    const now = deps.clock.now();
    const progress = await lockKeyMigrationProgress(trx, now);
    const save = async (next: KeyMigrationProgress, people: number, values: number): Promise<KeyMigrationStep> => {
      await saveKeyMigrationProgress(trx, next, now);
      const step = { done: next.phase === 'done', phase: next.phase, people, values, migrated: next.migrated };
      await andThen?.(trx, step);
      return step;
    };
    if (progress.phase === 'done') return { done: true, phase: 'done', people: 0, values: 0, migrated: progress.migrated };
    if (progress.phase === 'people') {
      const people = await listPeopleAfter(trx, progress.after, batchSize);
      if (people.length === 0) return save({ phase: 'attachments', after: null, migrated: progress.migrated }, 0, 0);
      const values = await resealLegacyRows(trx, deps.cipher, await listLegacyRowsOfPeople(trx, people));
      return save({ phase: 'people', after: people[people.length - 1] ?? null, migrated: progress.migrated + values }, people.length, values);
    }
    const rows = await listLegacyCaselessAttachments(trx, progress.after, batchSize);
    if (rows.length === 0) return save({ phase: 'done', after: null, migrated: progress.migrated }, 0, 0);
    const values = await resealLegacyRows(trx, deps.cipher, rows);
    return save({ phase: 'attachments', after: rows[rows.length - 1]?.id ?? null, migrated: progress.migrated + values }, 0, values);
  });
}

/** Runs batches until nothing is left, telling `onStep` of each; returns the values left under the old scheme (0 when all went well). */
export async function migrateKeysToEnd(
  deps: KeyMigrationDeps,
  options: { batchSize?: number; onStep?: (step: KeyMigrationStep) => void } = {},
): Promise<{ migrated: number; left: Record<SealedTable, number>; leftTotal: number }> {
  let step: KeyMigrationStep;
  do {
    step = await migrateKeysStep(deps, options.batchSize);
    options.onStep?.(step);
  } while (!step.done);
  const left = await countLegacyValues(deps.db);
  return { migrated: step.migrated, left, leftTotal: Object.values(left).reduce((sum, count) => sum + count, 0) };
}

/** Whether the migration has work left: a cheap look at its checkpoint (it never ran, or has not finished). */
export async function keyMigrationPending(db: Kysely<Database>): Promise<boolean> {
  return (await findKeyMigrationProgress(db))?.phase !== 'done';
}

/**
 * At a worker's start: queues the migration job when it has work left and none is waiting
 * already. The job then queues itself, a batch at a time, until it is done.
 */
export async function startKeyMigration(deps: { db: Kysely<Database>; clock: Clock; jobs: HotlineJobEnqueuer }): Promise<boolean> {
  if (!(await keyMigrationPending(deps.db))) return false;
  const queued = await deps.db.transaction().execute(async (trx) => {
    if (await hasWaitingJob(trx, KEY_MIGRATION_JOB, deps.clock.now(), DISPATCH_LEASE_MS)) return false;
    await deps.jobs.enqueue(trx, KEY_MIGRATION_JOB, {});
    return true;
  });
  if (queued) deps.jobs.wake();
  return queued;
}

/** The job's handler: one batch, and the next job queued in the same transaction, until done. */
export async function runKeyMigrationJob(deps: KeyMigrationDeps & { jobs: HotlineJobEnqueuer }): Promise<KeyMigrationStep> {
  const step = await migrateKeysStep(deps, KEY_MIGRATION_BATCH, async (trx, next) => {
    if (!next.done) await deps.jobs.enqueue(trx, KEY_MIGRATION_JOB, {});
  });
  if (!step.done) deps.jobs.wake();
  return step;
}
