import { sql } from 'kysely';
import { recordAudit } from '../../src/audit/audit.repository';
import type { DatabaseHandle } from '../../src/db/database';
import { openTestDatabase } from '../support/database';

describe('the audit log', () => {
  let handle: DatabaseHandle;

  beforeAll(async () => {
    handle = await openTestDatabase();
    await recordAudit(handle.db, { actorKind: 'system', action: 'case.read', subjectType: 'case', subjectId: 'K7M-4QX' });
  });
  afterAll(async () => {
    await handle.close();
  });

  it('keeps what was appended', async () => {
    const rows = await handle.db.selectFrom('audit_log').select(['action', 'subject_id']).execute();
    expect(rows).toEqual([{ action: 'case.read', subject_id: 'K7M-4QX' }]);
  });

  it('refuses UPDATE', async () => {
    await expect(handle.db.updateTable('audit_log').set({ action: 'case.forgotten' }).execute()).rejects.toThrow(/append-only/);
  });

  it('refuses DELETE', async () => {
    await expect(handle.db.deleteFrom('audit_log').execute()).rejects.toThrow(/append-only/);
  });

  it('refuses TRUNCATE', async () => {
    await expect(sql`truncate audit_log`.execute(handle.db)).rejects.toThrow(/append-only/);
  });

  it('still holds the row after the refused changes', async () => {
    const rows = await handle.db.selectFrom('audit_log').select('action').execute();
    expect(rows).toEqual([{ action: 'case.read' }]);
  });

  it('keeps a staff member\'s address but never a worker\'s (audit lines outlive an erasure)', async () => {
    await recordAudit(handle.db, { actorKind: 'user', action: 'case.read', subjectType: 'case', subjectId: 'STAFF-1', ip: '203.0.113.7' });
    await recordAudit(handle.db, { actorKind: 'worker', action: 'case.read', subjectType: 'case', subjectId: 'WORKER-1', ip: '198.51.100.23' });
    const rows = await handle.db.selectFrom('audit_log').select(['subject_id', 'ip']).where('subject_id', 'in', ['STAFF-1', 'WORKER-1']).orderBy('subject_id').execute();
    expect(rows).toEqual([{ subject_id: 'STAFF-1', ip: '203.0.113.7' }, { subject_id: 'WORKER-1', ip: null }]);
  });
});
