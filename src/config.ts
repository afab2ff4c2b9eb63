import { z } from 'zod';

const LOG_LEVELS = ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'] as const;


const base64Key = z
  .string()
  .trim()
  .refine((value) => /^[A-Za-z0-9+/]+={0,2}$/.test(value), 'must be base64')
  .refine((value) => Buffer.from(value, 'base64').length === 32, 'must decode to exactly 32 bytes');

/** The environment of the public contract (DESIGN.md), each variable documented in .env.example. */
const environmentSchema = z.object({
  NODE_ENV: z.enum(['development', 'production', 'test']).default('development'),
  PORT: z.coerce.number().int().min(0).max(65535).default(3000),
  // The job worker's own /metrics and /healthz; 0 turns that server off.
  WORKER_METRICS_PORT: z.coerce.number().int().min(0).max(65535).default(9464),
  // Loopback by default: the worker's metrics are for a scraper on the same host (or a sidecar).
  WORKER_METRICS_HOST: z
    .string()
    .trim()
    .regex(/^[A-Za-z0-9.:-]+$/, 'must be an IP address or host name such as 127.0.0.1 or 0.0.0.0')
    .default('127.0.0.1'),
  PUBLIC_URL: z
    .url({ protocol: /^https?$/, message: 'must be an http(s) URL such as https://hotline.example.org' })
    .transform((value) => value.replace(/\/+$/, ''))
    .optional(),
  DATABASE_URL: z
    .string()
    .trim()
    .refine((value) => /^postgres(ql)?:\/\//.test(value), 'must start with postgres:// or postgresql://')
    .optional(),
  DATABASE_POOL_SIZE: z.coerce.number().int().min(1).max(200).default(10),
  DATA_DIR: z.string().trim().min(1).default('./data'),
  REDIS_URL: z
    .string()
    .trim()
    .refine((value) => /^rediss?:\/\//.test(value), 'must start with redis:// or rediss://')
    .optional(),
  TWILIO_ACCOUNT_SID: z.string().trim().regex(/^AC[0-9a-fA-F]{32}$/, 'must be AC followed by 32 hex digits').optional(),
  TWILIO_AUTH_TOKEN: z.string().trim().min(16, 'is too short to be a Twilio auth token').optional(),
  TWILIO_MESSAGING_SERVICE_SID: z.string().trim().regex(/^MG[0-9a-fA-F]{32}$/, 'must be MG followed by 32 hex digits').optional(),
  TWILIO_FROM: z.string().trim().regex(/^(whatsapp:)?\+[1-9]\d{6,14}$/, 'must be an E.164 number such as +66912345678').optional(),
  // Unset: no email is sent, notifications stay in the console. The URL carries the credentials.
  SMTP_URL: z
    .url({ protocol: /^smtps?$/, hostname: /./, message: 'must be an smtp:// or smtps:// URL such as smtp://user:pass@mail.example.org:587' })
    .optional(),
  // An address, with or without a display name; no line breaks, which would inject headers.
  SMTP_FROM: z
    .string()
    .trim()
    .min(1, 'must not be empty')
    .regex(/^([^<>\r\n]*<[^<>@\s]+@[^<>@\s]+>|[^<>@\s]+@[^<>@\s]+)$/, 'must be an address such as Migrant Hotline <no-reply@example.org>')
    .default('Migrant Hotline <no-reply@localhost>'),
  ENCRYPTION_KEY: base64Key.optional(),
  ENCRYPTION_KEYS_PREVIOUS: z
    .string()
    .trim()
    .transform((value) => value.split(',').map((part) => part.trim()).filter(Boolean))
    .pipe(z.array(base64Key))
    .default([]),
  SESSION_SECRET: z.string().min(32, 'must be at least 32 characters').optional(),
  STATS_MIN_CELL: z.coerce.number().int().min(2, 'must be 2 or more').max(1000).default(10),
  LOG_LEVEL: z.enum(LOG_LEVELS).default('info'),
  SEED_DEMO: z.enum(['auto', 'never']).default('auto'),
});

type Environment = z.infer<typeof environmentSchema>;

export interface TwilioConfig {
  accountSid: string | undefined;
  authToken: string | undefined;
  messagingServiceSid: string | undefined;
  from: string | undefined;
  /** True when outbound messages can really be sent; otherwise they are recorded and logged. */
  canSend: boolean;
}

export interface MailConfig {
  /** Undefined when SMTP_URL is unset: no email is sent, notifications stay in the console. */
  smtpUrl: string | undefined;
  from: string;
}

/** The parsed, frozen configuration of one process. */
export interface Config {
  env: Environment['NODE_ENV'];
  port: number;
  /** Where `npm run worker` serves /metrics and /healthz; port 0 means it serves nothing. */
  workerMetrics: { host: string; port: number };
  publicUrl: string;
  databaseUrl: string | undefined;
  databasePoolSize: number;
  dataDir: string;
  redisUrl: string | undefined;
  twilio: TwilioConfig;
  mail: MailConfig;
  /** Base64 key material; undefined in embedded mode until a key is generated into DATA_DIR. */
  encryptionKey: string | undefined;
  previousEncryptionKeys: string[];
  sessionSecret: string | undefined;
  statsMinCell: number;
  logLevel: Environment['LOG_LEVEL'];
  seedDemo: Environment['SEED_DEMO'];
  /** Embedded mode: no DATABASE_URL, PGlite under DATA_DIR. */
  embedded: boolean;
}

/** Raised for an environment that cannot be used; its message is one line naming the variable. */
export class ConfigError extends Error {
  override name = 'ConfigError';
}

const REQUIRED_IN_PRODUCTION = ['DATABASE_URL', 'ENCRYPTION_KEY', 'SESSION_SECRET'] as const;

/** Parses the environment once; throws ConfigError with a one-line reason for the first bad variable. */
export function loadConfig(source: NodeJS.ProcessEnv = process.env): Config {
  const raw = Object.fromEntries(
    Object.keys(environmentSchema.shape).map((name) => [name, blankToUndefined(source[name])]),
  );
  const parsed = environmentSchema.safeParse(raw);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    const variable = String(issue?.path[0] ?? 'environment');
    throw new ConfigError(`${variable} ${describeIssue(issue)}`);
  }
  const env = parsed.data;
  if (env.NODE_ENV === 'production') {
    const missing = REQUIRED_IN_PRODUCTION.filter((name) => env[name] === undefined);
    if (missing.length > 0) {
      throw new ConfigError(`${missing.join(', ')} must be set when NODE_ENV=production`);
    }
  }
  if (env.TWILIO_MESSAGING_SERVICE_SID && env.TWILIO_FROM) {
    throw new ConfigError('TWILIO_FROM must be unset when TWILIO_MESSAGING_SERVICE_SID is set (choose one sender)');
  }
  const canSend = Boolean(
    env.TWILIO_ACCOUNT_SID && env.TWILIO_AUTH_TOKEN && (env.TWILIO_MESSAGING_SERVICE_SID || env.TWILIO_FROM),
  );
  return Object.freeze({
    env: env.NODE_ENV,
    port: env.PORT,
    workerMetrics: Object.freeze({ host: env.WORKER_METRICS_HOST, port: env.WORKER_METRICS_PORT }),
    publicUrl: env.PUBLIC_URL ?? `http://localhost:${env.PORT}`,
    databaseUrl: env.DATABASE_URL,
    databasePoolSize: env.DATABASE_POOL_SIZE,
    dataDir: env.DATA_DIR,
    redisUrl: env.REDIS_URL,
    twilio: Object.freeze({
      accountSid: env.TWILIO_ACCOUNT_SID,
      authToken: env.TWILIO_AUTH_TOKEN,
      messagingServiceSid: env.TWILIO_MESSAGING_SERVICE_SID,
      from: env.TWILIO_FROM,
      canSend,
    }),
    mail: Object.freeze({ smtpUrl: env.SMTP_URL, from: env.SMTP_FROM }),
    encryptionKey: env.ENCRYPTION_KEY,
    previousEncryptionKeys: env.ENCRYPTION_KEYS_PREVIOUS,
    sessionSecret: env.SESSION_SECRET,
    statsMinCell: env.STATS_MIN_CELL,
    logLevel: env.LOG_LEVEL,
    seedDemo: env.SEED_DEMO,
    embedded: env.DATABASE_URL === undefined,
  });
}

function blankToUndefined(value: string | undefined): string | undefined {
  return value === undefined || value.trim() === '' ? undefined : value;
}

function describeIssue(issue: z.core.$ZodIssue | undefined): string {
  if (!issue) return 'is invalid';
  if (issue.code === 'invalid_value') {
    return `must be one of ${issue.values.map(String).join(', ')}`;
  }
  if (issue.code === 'invalid_type') return 'is not a valid number';
  if (issue.code === 'too_small' || issue.code === 'too_big') return issue.message.replace(/^Too (small|big): /i, '');
  return issue.message.startsWith('must') || issue.message.startsWith('is') ? issue.message : `is invalid: ${issue.message}`;
}
