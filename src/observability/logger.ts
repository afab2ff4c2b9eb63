import pino, { type Logger, type LoggerOptions } from 'pino';

export type { Logger };

// Personal data never reaches a log line: these paths are censored wherever they appear, and
// request logging (see http/request-logging.ts) records no bodies, query strings or cookies.
export const REDACTED_PATHS = [
  'req.headers.authorization',
  'req.headers.cookie',
  'req.headers["x-twilio-signature"]',
  'res.headers["set-cookie"]',
  '*.password',
  '*.token',
  '*.phone',
  '*.address',
  '*.from',
  '*.to',
  '*.From',
  '*.To',
  '*.body',
  '*.Body',
  '*.name',
  '*.displayName',
  '*.email',
  '*.text',
  '*.summary',
  '*.employer',
];

/** The process logger, JSON lines on stdout, with personal fields censored. */
export function createLogger(level: LoggerOptions['level'] = 'info', destination?: pino.DestinationStream): Logger {
  const options: LoggerOptions = {
    level,
    base: { service: 'migrant-hotline' },
    redact: { paths: REDACTED_PATHS, censor: '[redacted]' },
    timestamp: pino.stdTimeFunctions.isoTime,
  };
  return destination ? pino(options, destination) : pino(options);
}
