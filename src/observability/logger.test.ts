import { Writable } from 'node:stream';
import { createLogger, type Logger } from './logger';

// Issue #11, part 7: personal data stays out of the logs at any depth. Each of these leaked
// while redaction was a list of one-level `*.field` paths.

function capture(): { logger: Logger; output: () => string } {
  let written = '';
  const sink = new Writable({
    write(chunk: Buffer, _encoding, done) {
      written += chunk.toString('utf8');
      done();
    },
  });
  return { logger: createLogger('debug', sink), output: () => written };
}

const PHONE = '+66812345678';
const STORY = 'my boss keeps my passport';

describe('the logger', () => {
  it('censors a phone number at the top level', () => {
    const { logger, output } = capture();
    logger.info({ phone: PHONE, body: STORY }, 'inbound');
    expect(output()).not.toContain(PHONE);
    expect(output()).not.toContain(STORY);
    expect(JSON.parse(output())).toMatchObject({ phone: '[redacted]', body: '[redacted]', msg: 'inbound' });
  });

  it('censors personal fields nested deep, and in arrays of objects', () => {
    const { logger, output } = capture();
    logger.info({ a: { b: { c: { body: STORY, From: PHONE } } }, messages: [{ to: PHONE }, { text: STORY }], job: { payload: { contact: { displayName: 'Aye Aye' } } } });
    expect(output()).not.toContain(PHONE);
    expect(output()).not.toContain(STORY);
    expect(output()).not.toContain('Aye Aye');
    expect(JSON.parse(output())).toMatchObject({ a: { b: { c: { body: '[redacted]', From: '[redacted]' } } } });
  });

  it('censors what a child logger is bound to', () => {
    const { logger, output } = capture();
    logger.child({ contact: { phone: PHONE } }).warn('retrying');
    expect(output()).not.toContain(PHONE);
  });

  it('keeps what is not personal', () => {
    const { logger, output } = capture();
    logger.info({ req: { method: 'POST', path: '/report' }, res: { statusCode: 400 }, caseReference: 'K7M-4QX' }, 'request refused');
    expect(JSON.parse(output())).toMatchObject({ req: { method: 'POST', path: '/report' }, res: { statusCode: 400 }, caseReference: 'K7M-4QX' });
  });

  it('keeps a line\u2019s own fields when it happens to carry a type and a message', () => {
    const { logger, output } = capture();
    logger.info({ type: 'job', message: 'done' }, 'job finished');
    expect(JSON.parse(output())).toMatchObject({ level: 30, msg: 'job finished', service: 'migrant-hotline', type: 'job' });
  });

  it('logs a database error by its code and constraint, without the values PostgreSQL quotes', () => {
    const { logger, output } = capture();
    // The shape pg and PGlite give a unique violation and a bad value.
    const duplicate = Object.assign(new Error('duplicate key value violates unique constraint "contacts_address_hash_key"'), {
      severity: 'ERROR', code: '23505', detail: `Key (address)=(${PHONE}) already exists.`, table: 'contacts', constraint: 'contacts_address_hash_key',
      schema: 'public', where: `SQL statement "insert … values ('${PHONE}')"`, query: `insert into contacts values ('${PHONE}')`, params: [PHONE],
    });
    const badValue = Object.assign(new Error(`invalid input syntax for type uuid: "${STORY}"`), { severity: 'ERROR', code: '22P02' });
    logger.error({ err: duplicate }, 'unhandled error');
    logger.error({ err: badValue, nested: { error: duplicate } }, 'unhandled error');
    expect(output()).not.toContain(PHONE);
    expect(output()).not.toContain(STORY);
    const [first, second] = output().trim().split('\n').map((line) => JSON.parse(line) as { err: Record<string, unknown> });
    expect(first?.err).toMatchObject({ code: '23505', constraint: 'contacts_address_hash_key', table: 'contacts' });
    expect(first?.err['detail']).toBeUndefined();
    expect(second?.err).toMatchObject({ code: '22P02', message: 'invalid input syntax for type uuid' });
    expect(String(second?.err['stack'])).toMatch(/^Error: invalid input syntax for type uuid\n\s+at /);
  });

  it('keeps a thrown error\u2019s stack, without a phone number or email in its message', () => {
    const { logger, output } = capture();
    logger.error({ err: new Error(`no contact for ${PHONE} or worker@example.org`) }, 'unhandled error');
    expect(output()).not.toContain(PHONE);
    expect(output()).not.toContain('worker@example.org');
    expect(output()).toContain('logger.test.ts');
  });
});
