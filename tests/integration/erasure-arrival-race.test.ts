import type { DatabaseHandle } from '../../src/db/database';
import { buildTestHotline, type TestHotline } from '../support/app';
import { openTestDatabase, usingRealPostgres } from '../support/database';
import { pausedErasure, stillWaitingAfter } from '../support/paused-erasure';
import { openStored } from '../support/sealed';
import { inboundSms, postSigned } from '../support/twilio-webhook';

// A worker writes again in the very instant their erasure runs. The erasure holds their person's
// row from its start to its commit; the new message must wait for it and then go to a new contact
// of a new person — never be sealed under the data key the erasure is destroying (it could never be
// opened again: the worker's words lost). Only a server has two transactions at once: PGlite runs
// one connection, so the race cannot happen there, and this file runs in the PostgreSQL pass.

const PATH = '/webhooks/twilio/messaging';
const PHONE = '+66817770001';
const describeOnServer = usingRealPostgres() ? describe : describe.skip;

describeOnServer('a message that arrives while its sender is being erased', () => {
  let handle: DatabaseHandle;
  let hotline: TestHotline;

  beforeAll(async () => {
    handle = await openTestDatabase();
    hotline = buildTestHotline(handle);
  });
  afterAll(async () => {
    await handle.close();
  });

  it('waits for the erasure, then is kept, readable, on a new contact of a new person', async () => {
    await postSigned(hotline.app, PATH, inboundSms(PHONE, 'my boss kept my passport race-canary-old')).expect(200);
    const first = await handle.db.selectFrom('contacts').select(['id', 'person_id']).executeTakeFirstOrThrow();

    const erasure = await pausedErasure({ db: handle.db, cipher: hotline.cipher, clock: { now: () => new Date() }, jobs: hotline.jobs, events: hotline.events },
      { scope: 'person', personId: first.person_id });

    // The worker writes again while the erasure is uncommitted: the webhook waits for it.
    const arriving = postSigned(hotline.app, PATH, inboundSms(PHONE, 'please help me race-canary-new')).expect(200).then((response) => response);
    expect(await stillWaitingAfter(arriving, 500)).toBe(true);
    erasure.release();
    expect((await erasure.done).status).toBe('done');
    await arriving;

    const messages = await handle.db.selectFrom('messages').innerJoin('contacts', 'contacts.id', 'messages.contact_id')
      .select(['messages.body_encrypted', 'contacts.id as contact_id', 'contacts.person_id', 'contacts.erased_at']).orderBy('messages.created_at').execute();
    const opened = await Promise.all(messages.map((message) => openStored(handle.db, hotline.cipher, message.body_encrypted)));
    // The first message went with the erasure; the new one opens, on a contact that is not erased.
    expect(opened).toEqual([null, 'please help me race-canary-new']);
    const kept = messages[1];
    expect(kept?.contact_id).not.toBe(first.id);
    expect(kept?.person_id).not.toBe(first.person_id);
    expect(kept?.erased_at).toBeNull();
    expect(hotline.spoolDir && (await hotline.inbound.drainSpool())).toBe(0);
  });
});
