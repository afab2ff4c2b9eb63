import pino, { type Logger, type LoggerOptions } from 'pino';

export type { Logger };

// Personal data never reaches a log line. pino's `redact` paths match at one fixed depth only, so
// instead every line is checked as it is written: a field whose name is in this list is censored
// at any depth, in the logged object, in a child logger's bindings and inside arrays. Request
// logging (see http/request-logging.ts) records no bodies, query strings or cookies to begin with.
export const PERSONAL_FIELDS: readonly string[] = [
  // credentials
  'authorization', 'cookie', 'set-cookie', 'x-twilio-signature', 'x-line-signature', 'x-viber-content-signature',
  'password', 'passwordHash', 'token', 'pin', 'secret',
  // a worker's addresses and names, in our words and in Twilio's
  'phone', 'address', 'from', 'to', 'name', 'displayName', 'email', 'employer',
  // anything a person wrote
  'body', 'text', 'summary', 'story', 'addition', 'note', 'notes', 'wording', 'reason', 'content', 'caption',
  // PostgreSQL errors quote the offending row and parameters here
  'detail', 'where', 'parameters', 'params', 'query', 'internalQuery', 'hint',
];

const CENSOR = '[redacted]';
const PERSONAL = new Set(PERSONAL_FIELDS.map((field) => field.toLowerCase()));
/** What a logged error keeps: what went wrong and where in our code, never the values involved. */
const ERROR_FIELDS = new Set(['type', 'message', 'stack', 'code', 'errno', 'status', 'statusCode', 'severity', 'constraint', 'table', 'column', 'schema', 'dataType', 'routine', 'errorId', 'cause', 'aggregateErrors']);
const MAX_DEPTH = 12;

/** A phone number, an email address, a long number: what an error message may quote about a person. */
const QUOTED_VALUES = /\+?\d[\d ()-]{5,}\d|[^\s"'<>@]+@[^\s"'<>@]+/g;

/**
 * An error's message without the values it quotes. PostgreSQL puts the value after a colon
 * (`invalid input syntax for type uuid: "…"`, `…for encoding "UTF8": 0x00`), so its messages are
 * cut there; any message loses what looks like a phone number or an email address.
 */
function scrubMessage(message: string, isPostgres: boolean): string {
  const head = isPostgres ? (message.split(': ')[0] ?? '') : message;
  return head.replace(QUOTED_VALUES, CENSOR);
}

function isPostgresError(error: Record<string, unknown>): boolean {
  return typeof error['code'] === 'string' && /^[0-9A-Z]{5}$/.test(error['code']) && typeof error['severity'] === 'string';
}

/** A serialized error (pino's `{ type, message, stack, …}`) reduced to its allowed fields. */
function scrubError(error: Record<string, unknown>, depth: number): Record<string, unknown> {
  const isPostgres = isPostgresError(error);
  const kept: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(error)) {
    if (!ERROR_FIELDS.has(key)) continue;
    if (key === 'message' && typeof value === 'string') kept[key] = scrubMessage(value, isPostgres);
    else if (key === 'stack' && typeof value === 'string') {
      // The stack starts by repeating the message; the frames after it are ours and safe.
      const frames = value.split('\n').filter((line) => /^\s+at /.test(line));
      const heading = `${typeof error['type'] === 'string' ? error['type'] : 'Error'}: ${scrubMessage(String(error['message'] ?? ''), isPostgres)}`;
      kept[key] = [heading, ...frames].join('\n');
    } else kept[key] = censorPersonalData(value, depth + 1);
  }
  return kept;
}

function looksLikeError(value: Record<string, unknown>): boolean {
  return typeof value['message'] === 'string' && (typeof value['stack'] === 'string' || typeof value['type'] === 'string');
}

/** A copy of a parsed log entry with every personal field censored, at any depth. */
export function censorPersonalData(value: unknown, depth = 0): unknown {
  if (typeof value !== 'object' || value === null) return value;
  if (depth > MAX_DEPTH) return CENSOR;
  if (Array.isArray(value)) return value.map((item) => censorPersonalData(item, depth + 1));
  const record = value as Record<string, unknown>;
  // The line itself is never an error, even when it has a `type` and a `message` of its own.
  if (depth > 0 && looksLikeError(record)) return scrubError(record, depth);
  const censored: Record<string, unknown> = {};
  for (const [key, child] of Object.entries(record)) {
    censored[key] = PERSONAL.has(key.toLowerCase()) && child !== null && child !== undefined ? CENSOR : censorPersonalData(child, depth + 1);
  }
  return censored;
}

/** One written log line (JSON and a newline) with its personal fields censored. */
export function censorLogLine(line: string): string {
  try {
    return `${JSON.stringify(censorPersonalData(JSON.parse(line)))}\n`;
  } catch {
    // Not JSON (never expected): the line could hold anything, so none of it is written.
    return `${JSON.stringify({ level: 50, msg: 'a log line could not be checked for personal data and was dropped' })}\n`;
  }
}

/** The process logger, JSON lines on stdout, with personal fields censored at any depth. */
export function createLogger(level: LoggerOptions['level'] = 'info', destination?: pino.DestinationStream): Logger {
  const options: LoggerOptions = {
    level,
    base: { service: 'migrant-hotline' },
    hooks: { streamWrite: censorLogLine },
    timestamp: pino.stdTimeFunctions.isoTime,
  };
  return destination ? pino(options, destination) : pino(options);
}
