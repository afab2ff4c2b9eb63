import type { Request, Response } from 'express';
import type { i18n } from 'i18next';
import type { Kysely } from 'kysely';
import type { Role } from '../cases/case.vocabulary';
import { systemClock, type Clock } from '../clock';
import type { Database } from '../db/schema';
import { principalOf } from '../http/access';
import type { RouteSpec } from '../http/routes';
import { validate } from '../http/validate';
import { isLanguage } from '../language/negotiation';
import { consoleNav } from '../console/console-nav';
import { countUnreadOf } from '../notifications/notification-inbox.service';
import type { PersonalDataCipher } from '../privacy/personal-data';
import { csvRecords, jsonTable } from './stats.csv';
import { loadDashboard } from './stats.dashboard';
import { caseStatsQuerySchema, employerStatsQuerySchema } from './stats.schema';
import { caseStatistics, employerStatistics, type StatsServiceDeps, type StatsTable } from './stats.service';
import { renderDashboard } from './stats.views';

/** What the statistics routes work with. */
export interface StatsRouteDeps {
  db: Kysely<Database>;
  /** k: the smallest count published (STATS_MIN_CELL). */
  statsMinCell: number;
  /** Opens the sealed employer names of the coordinators' employer counts. */
  cipher: PersonalDataCipher;
  i18n: i18n;
  clock?: Clock;
}

/** Researchers reach the statistics and nothing else; coordinators and admins too. */
const STATISTICS_READERS: readonly Role[] = ['researcher', 'coordinator', 'admin'];
/** Named employers are not for researchers: a name with a count can point at a workplace. */
const EMPLOYER_READERS: readonly Role[] = ['coordinator', 'admin'];

/** Waits until a response can take more, or is gone. */
function drained(res: Response): Promise<void> {
  return new Promise((resolve) => {
    const done = () => {
      res.off('drain', done);
      res.off('close', done);
      resolve();
    };
    res.once('drain', done);
    res.once('close', done);
  });
}

/** Writes the table as CSV, one record at a time, waiting whenever the socket's buffer is full. */
async function sendCsv(res: Response, table: StatsTable): Promise<void> {
  const name = table.groupBy.length > 0 ? `cases-by-${table.groupBy.join('-')}` : 'cases';
  res.status(200).type('text/csv; charset=utf-8; header=present').set('Content-Disposition', `attachment; filename="${name}.csv"`);
  for (const record of csvRecords(table)) {
    if (res.destroyed) return;
    if (!res.write(record)) await drained(res);
  }
  res.end();
}

function wantsCsv(req: Request, format: 'json' | 'csv' | undefined): boolean {
  if (format) return format === 'csv';
  return req.accepts(['application/json', 'text/csv']) === 'text/csv';
}

/** The statistics API and the researchers' dashboard. */
export function statsRoutes(deps: StatsRouteDeps): RouteSpec[] {
  const service: StatsServiceDeps = { db: deps.db, statsMinCell: deps.statsMinCell, cipher: deps.cipher };
  const clock = deps.clock ?? systemClock;
  return [
    {
      method: 'get',
      path: '/api/v1/stats/cases',
      access: { roles: STATISTICS_READERS },
      handler: async (req, res) => {
        const query = validate(caseStatsQuerySchema, req.query);
        const table = await caseStatistics(service, query);
        res.set('Cache-Control', 'no-store').vary('Accept');
        if (wantsCsv(req, query.format)) return sendCsv(res, table);
        res.json(jsonTable(table));
      },
    },
    {
      method: 'get',
      path: '/api/v1/stats/employers',
      access: { roles: EMPLOYER_READERS },
      handler: async (req, res) => {
        const query = validate(employerStatsQuerySchema, req.query);
        const result = await employerStatistics(service, query, principalOf(res));
        res.set('Cache-Control', 'no-store').json(result);
      },
    },
    {
      method: 'get',
      path: '/console/stats',
      access: { roles: STATISTICS_READERS },
      handler: async (req, res) => {
        const lang = req.query['lang'];
        const language = isLanguage(lang) ? lang : principalOf(res).locale;
        const dashboard = await loadDashboard(service, clock.now());
        const principal = principalOf(res);
        const nav = consoleNav(deps.i18n.getFixedT(language), principal.role, await countUnreadOf(deps.db, principal.userId));
        res.set('Cache-Control', 'no-store').type('html').send(renderDashboard(dashboard, language, deps.i18n.getFixedT(language, 'stats'), nav));
      },
    },
  ];
}
