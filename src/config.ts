import { z } from 'zod';

const LOG_LEVELS = ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'] as const;


const base64Key = z
  .string()
  .trim()
  .refine((value) => /^[A-Za-z0-9+/]+={0,2}$/.test(value), 'must be base64')
  .refine((value) => Buffer.from(value, 'base64').length === 32, 'must decode to exactly 32 bytes');

/** A provider API's base URL: https in production; tests and CI point it at a local fake. */
const providerBaseUrl = z
  .url({ protocol: /^https?$/, message: 'must be an http(s) URL' })
  .transform((value) => value.replace(/\/+$/, ''));

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
  // The Facebook page Messenger replies come from, through Twilio.
  TWILIO_MESSENGER_FROM: z.string().trim().regex(/^messenger:\d{5,20}$/, 'must be messenger: followed by the page id, such as messenger:104729384756').optional(),
  // WhatsApp outside the 24-hour window: an approved Content API template ("we have news on your case").
  // One SID for every language, or one per language: en:HX…,th:HX…,my:HX… (a language without its own uses en's).
  TWILIO_WHATSAPP_TEMPLATE_SID: z
    .string()
    .trim()
    .regex(/^(HX[0-9a-fA-F]{32}|(en|my|km|lo|th|vi):HX[0-9a-fA-F]{32}(,(en|my|km|lo|th|vi):HX[0-9a-fA-F]{32})*)$/, 'must be HX followed by 32 hex digits, or a list such as en:HX…,th:HX…')
    .optional(),
  TWILIO_API_BASE_URL: providerBaseUrl.default('https://api.twilio.com'),
  // The voice line's number, shown to a worker when a caseworker calls them back (unset: TWILIO_FROM, if it is a phone number).
  TWILIO_VOICE_FROM: z.string().trim().regex(/^\+[1-9]\d{6,14}$/, 'must be an E.164 number such as +6621234567').optional(),
  // How many times a caseworker tries to call a worker back before the call-back leaves the queue.
  CALLBACK_MAX_ATTEMPTS: z.coerce.number().int().min(1).max(10).default(3),
  LINE_CHANNEL_SECRET: z.string().trim().regex(/^[0-9a-fA-F]{32}$/, 'must be the 32 hex digits of the LINE channel secret').optional(),
  LINE_CHANNEL_ACCESS_TOKEN: z.string().trim().min(20, 'is too short to be a LINE channel access token').optional(),
  LINE_API_BASE_URL: providerBaseUrl.default('https://api.line.me'),
  LINE_DATA_API_BASE_URL: providerBaseUrl.default('https://api-data.line.me'),
  VIBER_AUTH_TOKEN: z.string().trim().regex(/^[0-9a-fA-F]{16}-[0-9a-fA-F]{16}-[0-9a-fA-F]{16}$/, 'must be a Viber bot token such as 4453b6ac12345678-e02c5f12174805f9-daec9cbb5448c51f').optional(),
  VIBER_BOT_NAME: z.string().trim().min(1).max(28, 'must be at most 28 characters (Viber\'s limit)').default('Migrant Hotline'),
  VIBER_API_BASE_URL: providerBaseUrl.default('https://chatapi.viber.com'),
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
  // Months after a case is resolved or closed before its personal data is erased (an organisation may set fewer for its own cases).
  RETENTION_MONTHS: z.coerce.number().int().min(1, 'must be 1 or more').max(120, 'must be 120 or less').default(24),
  LOG_LEVEL: z.enum(LOG_LEVELS).default('info'),
  SEED_DEMO: z.enum(['auto', 'never']).default('auto'),
});

type Environment = z.infer<typeof environmentSchema>;

/** The names of every variable the hotline reads; each is documented in README.md and .env.example (a test checks). */
export const ENVIRONMENT_VARIABLES: readonly string[] = Object.freeze(Object.keys(environmentSchema.shape));

export interface TwilioConfig {
  accountSid: string | undefined;
  authToken: string | undefined;
  messagingServiceSid: string | undefined;
  from: string | undefined;
  /** True when outbound messages can really be sent; otherwise they are recorded and logged. */
  canSend: boolean;
  /** `messenger:<page id>`: Messenger replies go out from this page (unset: Messenger replies are recorded, not sent). */
  messengerFrom: string | undefined;
  /** Content API template(s) for WhatsApp outside the 24-hour window: one SID, or `lang:SID,…` (see whatsappTemplateFor). */
  whatsappTemplateSid: string | undefined;
  /** https://api.twilio.com, or a local fake in tests. */
  apiBaseUrl: string;
}

export interface VoiceConfig {
  /** The number call-backs are made from (TWILIO_VOICE_FROM, else a phone-number TWILIO_FROM); unset, nobody can be called back. */
  from: string | undefined;
  /** CALLBACK_MAX_ATTEMPTS. */
  callbackMaxAttempts: number;
}

export interface LineConfig {
  /** Checks X-Line-Signature; unset, LINE webhooks are refused. */
  channelSecret: string | undefined;
  /** Sends replies; unset, LINE replies are recorded, not sent. */
  channelAccessToken: string | undefined;
  apiBaseUrl: string;
  /** Message content (photos, audio, files) is served from another host. */
  dataApiBaseUrl: string;
}

export interface ViberConfig {
  /** Checks X-Viber-Content-Signature and sends; unset, Viber webhooks are refused and nothing is sent. */
  authToken: string | undefined;
  /** The sender name on every message (Viber requires one). */
  botName: string;
  apiBaseUrl: string;
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
  voice: VoiceConfig;
  line: LineConfig;
  viber: ViberConfig;
  mail: MailConfig;
  /** Base64 key material; undefined in embedded mode until a key is generated into DATA_DIR. */
  encryptionKey: string | undefined;
  previousEncryptionKeys: string[];
  sessionSecret: string | undefined;
  statsMinCell: number;
  /** RETENTION_MONTHS: how long personal data of a resolved or closed case is kept. */
  retentionMonths: number;
  logLevel: Environment['LOG_LEVEL'];
  seedDemo: Environment['SEED_DEMO'];
  /** Embedded mode: no DATABASE_URL, PGlite under DATA_DIR. */
  embedded: boolean;
}

/** The WhatsApp template SID for a language: its own, else English's, else the single SID; undefined if none. */
export function whatsappTemplateFor(setting: string | undefined, language: string): string | undefined {
  if (!setting) return undefined;
  if (!setting.includes(':')) return setting;
  const byLanguage = new Map(setting.split(',').map((pair) => pair.split(':') as [string, string]));
  return byLanguage.get(language) ?? byLanguage.get('en');
}

/** Raised for an environment that cannot be used; its message is one line naming the variable. */
export class ConfigError extends Error {
  override name = 'ConfigError';
}

const REQUIRED_IN_PRODUCTION = ['DATABASE_URL', 'ENCRYPTION_KEY', 'SESSION_SECRET'] as const;

/** Parses the environment once; throws ConfigError with a one-line reason for the first bad variable. */
export function loadConfig(source: NodeJS.ProcessEnv = process.env): Config {
  const raw = Object.fromEntries(
    ENVIRONMENT_VARIABLES.map((name) => [name, blankToUndefined(source[name])]),
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
      messengerFrom: env.TWILIO_MESSENGER_FROM,
      whatsappTemplateSid: env.TWILIO_WHATSAPP_TEMPLATE_SID,
      apiBaseUrl: env.TWILIO_API_BASE_URL,
    }),
    voice: Object.freeze({
      from: env.TWILIO_VOICE_FROM ?? (env.TWILIO_FROM?.startsWith('+') ? env.TWILIO_FROM : undefined),
      callbackMaxAttempts: env.CALLBACK_MAX_ATTEMPTS,
    }),
    line: Object.freeze({
      channelSecret: env.LINE_CHANNEL_SECRET,
      channelAccessToken: env.LINE_CHANNEL_ACCESS_TOKEN,
      apiBaseUrl: env.LINE_API_BASE_URL,
      dataApiBaseUrl: env.LINE_DATA_API_BASE_URL,
    }),
    viber: Object.freeze({ authToken: env.VIBER_AUTH_TOKEN, botName: env.VIBER_BOT_NAME, apiBaseUrl: env.VIBER_API_BASE_URL }),
    mail: Object.freeze({ smtpUrl: env.SMTP_URL, from: env.SMTP_FROM }),
    encryptionKey: env.ENCRYPTION_KEY,
    previousEncryptionKeys: env.ENCRYPTION_KEYS_PREVIOUS,
    sessionSecret: env.SESSION_SECRET,
    statsMinCell: env.STATS_MIN_CELL,
    retentionMonths: env.RETENTION_MONTHS,
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
