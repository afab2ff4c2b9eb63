import { ConfigError, loadConfig } from './config';

const KEY = Buffer.alloc(32, 7).toString('base64');
const SECRET = 'a'.repeat(40);

describe('configuration', () => {
  it('runs embedded with no environment at all', () => {
    const config = loadConfig({});
    expect(config).toMatchObject({
      env: 'development', port: 3000, publicUrl: 'http://localhost:3000', dataDir: './data', embedded: true,
      redisUrl: undefined, statsMinCell: 10, logLevel: 'info',
    });
    expect(config.twilio.canSend).toBe(false);
    expect(Object.isFrozen(config)).toBe(true);
  });

  it('calls workers back from TWILIO_VOICE_FROM, else from a TWILIO_FROM that is a phone number, at most CALLBACK_MAX_ATTEMPTS times', () => {
    expect(loadConfig({}).voice).toEqual({ from: undefined, callbackMaxAttempts: 3 });
    expect(loadConfig({ TWILIO_FROM: '+66900000000' }).voice.from).toBe('+66900000000');
    expect(loadConfig({ TWILIO_FROM: 'whatsapp:+66900000000' }).voice.from).toBeUndefined();
    expect(loadConfig({ TWILIO_FROM: '+66900000000', TWILIO_VOICE_FROM: '+6621234567', CALLBACK_MAX_ATTEMPTS: '5' }).voice)
      .toEqual({ from: '+6621234567', callbackMaxAttempts: 5 });
    expect(() => loadConfig({ TWILIO_VOICE_FROM: 'whatsapp:+6621234567' })).toThrow(/^TWILIO_VOICE_FROM /);
    expect(() => loadConfig({ CALLBACK_MAX_ATTEMPTS: '0' })).toThrow(/^CALLBACK_MAX_ATTEMPTS /);
  });

  it('keeps personal data of a finished case RETENTION_MONTHS months, 24 unless set', () => {
    expect(loadConfig({}).retentionMonths).toBe(24);
    expect(loadConfig({ RETENTION_MONTHS: '36' }).retentionMonths).toBe(36);
  });

  it('treats blank variables as unset', () => {
    expect(loadConfig({ DATABASE_URL: '', REDIS_URL: '  ', PORT: '' }).embedded).toBe(true);
  });

  it.each([
    [{ PORT: 'eighty' }, /^PORT /],
    [{ PORT: '70000' }, /^PORT /],
    [{ WORKER_METRICS_PORT: '9464x' }, /^WORKER_METRICS_PORT is not a valid number/],
    [{ WORKER_METRICS_PORT: '65536' }, /^WORKER_METRICS_PORT /],
    [{ WORKER_METRICS_PORT: '-1' }, /^WORKER_METRICS_PORT /],
    [{ WORKER_METRICS_HOST: 'http://0.0.0.0' }, /^WORKER_METRICS_HOST must be an IP address or host name/],
    [{ DATABASE_URL: 'mysql://localhost/x' }, /^DATABASE_URL must start with postgres:\/\//],
    [{ REDIS_URL: 'localhost:6379' }, /^REDIS_URL must start with redis:\/\//],
    [{ ENCRYPTION_KEY: 'c2hvcnQ=' }, /^ENCRYPTION_KEY must decode to exactly 32 bytes/],
    [{ ENCRYPTION_KEY: 'not base64!' }, /^ENCRYPTION_KEY must be base64/],
    [{ LOG_LEVEL: 'loud' }, /^LOG_LEVEL must be one of fatal, error/],
    [{ STATS_MIN_CELL: '1' }, /^STATS_MIN_CELL must be 2 or more/],
    [{ RETENTION_MONTHS: '0' }, /^RETENTION_MONTHS must be 1 or more/],
    [{ RETENTION_MONTHS: '121' }, /^RETENTION_MONTHS must be 120 or less/],
    [{ RETENTION_MONTHS: 'two years' }, /^RETENTION_MONTHS is not a valid number/],
    [{ PUBLIC_URL: 'hotline.example.org' }, /^PUBLIC_URL must be an http\(s\) URL/],
    [{ TWILIO_ACCOUNT_SID: 'AC123' }, /^TWILIO_ACCOUNT_SID must be AC followed by 32 hex digits/],
    [{ TWILIO_FROM: '0812345678' }, /^TWILIO_FROM must be an E.164 number/],
    [{ SESSION_SECRET: 'short' }, /^SESSION_SECRET must be at least 32 characters/],
    [{ SMTP_URL: 'http://x' }, /^SMTP_URL must be an smtp:\/\/ or smtps:\/\/ URL/],
    [{ SMTP_URL: 'mail.example.org:587' }, /^SMTP_URL must be an smtp:\/\/ or smtps:\/\/ URL/],
    [{ SMTP_URL: 'smtp://' }, /^SMTP_URL must be an smtp:\/\/ or smtps:\/\/ URL/],
    [{ SMTP_FROM: 'no-reply' }, /^SMTP_FROM must be an address such as/],
    [{ SMTP_FROM: 'Hotline <no-reply@example.org>\r\nBcc: x@example.org' }, /^SMTP_FROM must be an address such as/],
  ])('refuses %j with one line naming the variable', (environment, message) => {
    expect(() => loadConfig(environment)).toThrow(ConfigError);
    try {
      loadConfig(environment);
    } catch (error) {
      expect((error as Error).message).toMatch(message);
      expect((error as Error).message).not.toContain('\n');
    }
  });

  it('serves the worker\'s metrics on 127.0.0.1:9464 unless told otherwise; port 0 turns them off', () => {
    expect(loadConfig({}).workerMetrics).toEqual({ host: '127.0.0.1', port: 9464 });
    expect(loadConfig({ WORKER_METRICS_PORT: '0' }).workerMetrics.port).toBe(0);
    expect(loadConfig({ WORKER_METRICS_HOST: '0.0.0.0', WORKER_METRICS_PORT: '9100' }).workerMetrics).toEqual({ host: '0.0.0.0', port: 9100 });
  });

  it('sends email only when SMTP_URL is set, from SMTP_FROM', () => {
    expect(loadConfig({}).mail).toEqual({ smtpUrl: undefined, from: 'Migrant Hotline <no-reply@localhost>' });
    expect(loadConfig({ SMTP_URL: 'smtps://hotline:s3cret@mail.example.org:465', SMTP_FROM: 'hotline@example.org' }).mail).toEqual({
      smtpUrl: 'smtps://hotline:s3cret@mail.example.org:465', from: 'hotline@example.org',
    });
  });

  it('never repeats a refused SMTP_URL, which may hold a password', () => {
    expect(() => loadConfig({ SMTP_URL: 'https://hotline:s3cret@mail.example.org' })).toThrow(/^SMTP_URL (?!.*s3cret)/);
  });

  it('refuses to start in production without the database and secrets', () => {
    expect(() => loadConfig({ NODE_ENV: 'production' })).toThrow(
      'DATABASE_URL, ENCRYPTION_KEY, SESSION_SECRET must be set when NODE_ENV=production',
    );
    expect(() => loadConfig({ NODE_ENV: 'production', DATABASE_URL: 'postgres://db/hotline', ENCRYPTION_KEY: KEY })).toThrow(
      'SESSION_SECRET must be set when NODE_ENV=production',
    );
  });

  it('starts in production with them', () => {
    const config = loadConfig({
      NODE_ENV: 'production', DATABASE_URL: 'postgres://db/hotline', ENCRYPTION_KEY: KEY, SESSION_SECRET: SECRET,
      PUBLIC_URL: 'https://hotline.example.org/', ENCRYPTION_KEYS_PREVIOUS: `${KEY}, ${KEY}`,
    });
    expect(config).toMatchObject({ embedded: false, publicUrl: 'https://hotline.example.org', previousEncryptionKeys: [KEY, KEY] });
  });

  it('sends through Twilio only with credentials and one sender', () => {
    const twilio = { TWILIO_ACCOUNT_SID: `AC${'0'.repeat(32)}`, TWILIO_AUTH_TOKEN: 'x'.repeat(32) };
    expect(loadConfig(twilio).twilio.canSend).toBe(false);
    expect(loadConfig({ ...twilio, TWILIO_FROM: '+66912345678' }).twilio.canSend).toBe(true);
    expect(() => loadConfig({ ...twilio, TWILIO_FROM: '+66912345678', TWILIO_MESSAGING_SERVICE_SID: `MG${'0'.repeat(32)}` })).toThrow(
      /^TWILIO_FROM must be unset when TWILIO_MESSAGING_SERVICE_SID is set/,
    );
  });
});
