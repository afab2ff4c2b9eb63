import { insertCase } from '../../src/cases/case.repository';
import type { DatabaseHandle } from '../../src/db/database';
import { openTestDatabase } from '../support/database';

// A case's reference is drawn at random; a draw that is taken is drawn again, in the same
// transaction, with no savepoint: ON CONFLICT on the reference leaves the transaction usable.

describe('drawing a case reference', () => {
  let handle: DatabaseHandle;

  beforeAll(async () => {
    handle = await openTestDatabase();
  });
  afterAll(async () => {
    await handle.close();
  });

  const values = () => ({ channel: 'voice', language: 'en', summary_encrypted: 'sealed', created_at: new Date(), updated_at: new Date() });

  it('draws again when the reference is taken, and the transaction goes on', async () => {
    const draws = ['K7M-4QX', 'K7M-4QX', 'P3R-9TW'];
    const drawn: string[] = [];
    const draw = () => {
      const next = draws.shift() ?? 'ZZZ-ZZZ';
      drawn.push(next);
      return next;
    };
    const [first, second] = await handle.db.transaction().execute(async (trx) => [await insertCase(trx, values(), draw), await insertCase(trx, values(), draw)]);
    expect(first?.reference).toBe('K7M-4QX');
    expect(second?.reference).toBe('P3R-9TW');
    expect(drawn).toEqual(['K7M-4QX', 'K7M-4QX', 'P3R-9TW']);
    const stored = await handle.db.selectFrom('cases').select('reference').where('reference', 'in', ['K7M-4QX', 'P3R-9TW']).orderBy('reference').execute();
    expect(stored.map((row) => row.reference)).toEqual(['K7M-4QX', 'P3R-9TW']);
  });

  it('gives up after a few taken draws rather than looping', async () => {
    await expect(handle.db.transaction().execute((trx) => insertCase(trx, values(), () => 'K7M-4QX'))).rejects.toThrow(/no free case reference/);
  });
});
