import { Writable } from 'node:stream';
import { createLogger, type Logger } from '../../src/observability/logger';

/** A logger that keeps every line it writes, to assert what reaches the logs. */
export function createCapturingLogger(level: 'info' | 'debug' = 'debug'): { logger: Logger; lines: () => string[] } {
  const lines: string[] = [];
  const sink = new Writable({
    write(chunk: Buffer, _encoding, done) {
      lines.push(...chunk.toString('utf8').split('\n').filter(Boolean));
      done();
    },
  });
  return { logger: createLogger(level, sink), lines: () => lines };
}

/** A logger that writes nothing. */
export function silentLogger(): Logger {
  return createLogger('silent');
}
