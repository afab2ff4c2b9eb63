import type { Express } from 'express';
import { createApp } from '../../src/app';
import type { Clock } from '../../src/clock';
import type { DatabaseHandle } from '../../src/db/database';
import { createI18n } from '../../src/language/i18n';
import type { Logger } from '../../src/observability/logger';
import { createAuthenticator } from '../../src/users/authentication';
import { silentLogger } from './logger';

/** The real app over a test database, with the given clock and logger. */
export function buildTestApp(
  handle: DatabaseHandle,
  options: { clock?: Clock; logger?: Logger; readiness?: Record<string, () => Promise<void>> } = {},
): Express {
  const clock = options.clock ?? { now: () => new Date() };
  return createApp({
    logger: options.logger ?? silentLogger(),
    i18n: createI18n(),
    authenticate: createAuthenticator({ db: handle.db, clock }),
    readiness: options.readiness ?? { database: handle.ping },
    secureCookies: false,
  });
}
