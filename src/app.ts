import path from 'node:path';
import cookieParser from 'cookie-parser';
import express, { type Express } from 'express';
import helmet from 'helmet';
import type { i18n } from 'i18next';
import type { Kysely } from 'kysely';
import type { InboundService } from './channels/sms/inbound.service';
import { smsRoutes } from './channels/sms/sms.routes';
import { webRoutes, type WebRouteDeps } from './channels/web/web.routes';
import { adminRoutes, type AdminRouteDeps } from './console/admin.routes';
import { voicePromptPageRoutes } from './console/voice-prompts.routes';
import { tokenPageRoutes } from './console/token-pages.routes';
import { replyCounterRoutes } from './console/reply-counter.routes';
import { cannedReplyRoutes } from './console/canned-replies.routes';
import { casePageRoutes } from './console/case-pages.routes';
import { caseActionRoutes } from './console/case-actions.routes';
import { notificationPageRoutes } from './console/notification-pages.routes';
import { referralPageRoutes } from './console/referral-pages.routes';
import { escalationPageRoutes } from './console/escalation-pages.routes';
import { erasurePageRoutes } from './console/erasure-pages.routes';
import { erasureRoutes } from './erasures/erasures.routes';
import { rulePageRoutes } from './console/rules.routes';
import { consoleRoutes, type ConsoleRouteDeps } from './console/console.routes';
import type { CaseWorkDeps } from './cases/case-work.service';
import { caseRoutes } from './cases/cases.routes';
import { peopleRoutes } from './people/people.routes';
import { personExportRoutes } from './people/person-export.routes';
import { personExportPageRoutes } from './console/person-export-pages.routes';
import { escalationRoutes } from './escalations/escalations.routes';
import { attachmentRoutes } from './attachments/attachments.routes';
import { notificationRoutes } from './notifications/notifications.routes';
import { referralRoutes } from './referrals/referrals.routes';
import { routingRuleRoutes } from './routing/routing-rules.routes';
import { openApiRoutes } from './http/openapi';
import type { Clock } from './clock';
import type { Database } from './db/schema';
import type { Authenticate } from './http/access';
import { createErrorHandler, notFoundHandler } from './http/error-handler';
import { mountRoutes, type RouteSpec } from './http/routes';
import { rejectMalformedPath, rejectNulCharacters } from './http/input-guards';
import { createRequestIds, failureLogging, requestLogging } from './http/request-logging';
import { healthRoutes } from './health/health.routes';
import type { InboundEvent } from './channels/channel';
import { lineRoutes } from './channels/line/line.routes';
import { viberRoutes } from './channels/viber/viber.routes';
import { voicePromptRoutes, voiceRoutes } from './channels/voice/voice.routes';
import { createRecordedPrompts } from './channels/voice/recorded-prompts';
import { createVoiceService } from './channels/voice/voice.service';
import { callbackWebhookRoutes } from './channels/voice/callback.routes';
import type { CallbackServiceDeps } from './channels/voice/callback.service';
import { createTwilioCalls, type TwilioCalls } from './channels/voice/twilio-calls';
import { callbackPageRoutes } from './console/callback-pages.routes';
import { choicesFor } from './channels/reply-choices';
import type { Logger } from './observability/logger';
import type { HotlineCounters } from './observability/hotline-counters';
import { createMetrics } from './observability/metrics';
import type { PersonalDataCipher } from './privacy/personal-data';
import type { Registry } from 'prom-client';
import { statsRoutes } from './stats/stats.routes';
import { userRoutes } from './users/users.routes';

export interface AppDeps {
  db: Kysely<Database>;
  clock: Clock;
  logger: Logger;
  inbound: InboundService;
  /** Validates Twilio's webhook signatures; unset, webhooks are refused. */
  twilioAuthToken: string | undefined;
  /** Checks LINE's webhook signatures (LINE_CHANNEL_SECRET); unset, LINE webhooks are refused. */
  lineChannelSecret?: string | undefined;
  /** Checks Viber's webhook signatures (VIBER_AUTH_TOKEN); unset, Viber webhooks are refused. */
  viberAuthToken?: string | undefined;
  /** VIBER_BOT_NAME, which signs the welcome answered to a worker opening the chat. */
  viberBotName?: string;
  /** The externally visible base URL (PUBLIC_URL) that Twilio signs. */
  publicUrl: string;
  /** The worker-facing web pages (report form, case status). */
  web: WebRouteDeps;
  /** The staff console: sign-in, sign-out and its pages. */
  console: ConsoleRouteDeps;
  /** Case work through the API. */
  cases: CaseWorkDeps;
  i18n: i18n;
  authenticate: Authenticate;
  /** Readiness checks by name (database, redis). */
  readiness: Record<string, () => Promise<void>>;
  /** True when the public URL is https, so cookies are marked Secure. */
  secureCookies: boolean;
  /** Set when the app runs behind a reverse proxy that sets X-Forwarded-For. */
  trustProxy?: boolean | number;
  /** The smallest count statistics publish (STATS_MIN_CELL). */
  statsMinCell: number;
  /** Opens sealed fields where a route must show one (employer names in statistics). */
  cipher: PersonalDataCipher;
  /** The process's registry, so /metrics also shows what runs beside the app (scheduled work); a new one if unset. */
  metricsRegistry?: Registry;
  /** The domain counters on that registry (here: delivery status changes); unset, nothing is counted. */
  counters?: HotlineCounters;
  /** Call-backs: Twilio's Calls API, the voice number (TWILIO_VOICE_FROM) and CALLBACK_MAX_ATTEMPTS; unset, nobody can be called back. */
  callbacks?: { calls: TwilioCalls; from: string | undefined; maxAttempts: number };
}

const BODY_LIMIT = '64kb';

/** Builds the Express app from explicit dependencies; no module state, so tests build their own. */
export function createApp(deps: AppDeps): Express {
  const app = express();
  app.disable('x-powered-by');
  // No ETags on dynamic answers: nothing here is worth caching, and hashing every body costs.
  app.set('etag', false);
  app.set('trust proxy', deps.trustProxy ?? false);
  app.set('query parser', 'simple');

  const metrics = createMetrics(deps.metricsRegistry);
  app.use(metrics.observe);
  const formParser = express.urlencoded({ extended: false, limit: BODY_LIMIT, parameterLimit: 200 });
  const requestIds = createRequestIds();
  // Twilio's webhooks come first: machine-to-machine, signature-checked, answered with TwiML;
  // they need no cookies, JSON parser or browser security headers, and they are the hot path.
  // Logging comes before the body parser, so that a body refused unread is logged too.
  app.use('/webhooks', failureLogging(deps.logger, requestIds));
  // Only Twilio posts forms: LINE and Viber read every body as raw bytes for their signature check,
  // so a form sent to them must not be parsed first (it would reach their check as an object).
  app.use('/webhooks/twilio', formParser);
  // LINE and Viber sign their raw JSON bodies: their routes read the bytes before any JSON parser.
  const receiveEvents = async (events: InboundEvent[]) => {
    await deps.inbound.receiveEvents(events);
  };
  // The recorded prompts every call plays, kept for a few seconds; the admin pages forget them on an upload.
  const prompts = createRecordedPrompts({ db: deps.db, clock: deps.clock });
  // The voice line shares the web pages' queue: a message left queues its filing on the case.
  const voice = createVoiceService({
    db: deps.db, cipher: deps.cipher, clock: deps.clock, i18n: deps.i18n, logger: deps.logger, jobs: deps.web.jobs, prompts,
    publicUrl: deps.publicUrl, counters: deps.counters,
  });
  const admin: AdminRouteDeps = {
    db: deps.db, cipher: deps.cipher, clock: deps.clock, i18n: deps.i18n, sessionSecret: deps.console.sessionSecret, secureCookies: deps.console.secureCookies, prompts,
  };
  const callbacks: CallbackServiceDeps = {
    db: deps.db, cipher: deps.cipher, clock: deps.clock, logger: deps.logger, jobs: deps.web.jobs, events: deps.web.events,
    mailEnabled: deps.web.mailEnabled, publicUrl: deps.publicUrl,
    calls: deps.callbacks?.calls ?? createTwilioCalls({ accountSid: undefined, authToken: undefined, apiBaseUrl: 'https://api.twilio.com' }),
    from: deps.callbacks?.from, maxAttempts: deps.callbacks?.maxAttempts ?? 3,
  };
  app.use(mountRoutes(express.Router(), [
    ...smsRoutes(deps),
    ...callbackWebhookRoutes({ callbacks, logger: deps.logger, twilioAuthToken: deps.twilioAuthToken, publicUrl: deps.publicUrl }),
    ...voiceRoutes({ voice, logger: deps.logger, twilioAuthToken: deps.twilioAuthToken, publicUrl: deps.publicUrl }),
    ...lineRoutes({ clock: deps.clock, logger: deps.logger, channelSecret: deps.lineChannelSecret, receive: receiveEvents }),
    ...viberRoutes({ clock: deps.clock, logger: deps.logger, viberAuthToken: deps.viberAuthToken, receive: receiveEvents, welcome: viberWelcome(deps.i18n, deps.viberBotName) }),
  ], deps.authenticate));

  app.use(requestLogging(deps.logger, requestIds));
  app.use(
    helmet({
      contentSecurityPolicy: {
        useDefaults: false,
        directives: {
          defaultSrc: ["'self'"],
          scriptSrc: ["'self'"],
          styleSrc: ["'self'"],
          imgSrc: ["'self'", 'data:'],
          fontSrc: ["'self'"],
          connectSrc: ["'self'"],
          formAction: ["'self'"],
          frameAncestors: ["'none'"],
          baseUri: ["'none'"],
          objectSrc: ["'none'"],
          ...(deps.secureCookies ? { upgradeInsecureRequests: [] } : {}),
        },
      },
      referrerPolicy: { policy: 'no-referrer' },
      strictTransportSecurity: deps.secureCookies,
    }),
  );
  app.use(cookieParser());
  // After helmet and cookies, so that a refusal is a secured page in the reader's language.
  app.use(rejectMalformedPath);
  app.use(formParser);
  app.use(express.json({ limit: BODY_LIMIT }));
  app.use(rejectNulCharacters);
  app.use('/assets', express.static(path.resolve(__dirname, publicDirectory()), { maxAge: '1d', index: false }));

  const routes: RouteSpec[] = [...healthRoutes({ checks: deps.readiness }), ...metrics.routes, ...statsRoutes({ db: deps.db, statsMinCell: deps.statsMinCell, cipher: deps.cipher, i18n: deps.i18n, clock: deps.clock }), ...webRoutes(deps.web), ...consoleRoutes(deps.console),
    ...caseRoutes(deps.cases), ...peopleRoutes(deps.cases), ...personExportRoutes(deps.cases), ...referralRoutes(deps.cases), ...escalationRoutes(deps.cases), ...erasureRoutes(deps.cases), ...attachmentRoutes(deps.cases), ...routingRuleRoutes(deps.cases),
    ...notificationRoutes(deps), ...openApiRoutes(deps.publicUrl), ...userRoutes(),
    ...casePageRoutes({ ...deps.cases, i18n: deps.i18n, sessionSecret: deps.console.sessionSecret, secureCookies: deps.console.secureCookies }),
    ...caseActionRoutes({ ...deps.cases, i18n: deps.i18n, sessionSecret: deps.console.sessionSecret, secureCookies: deps.console.secureCookies }),
    ...referralPageRoutes({ ...deps.cases, i18n: deps.i18n, sessionSecret: deps.console.sessionSecret, secureCookies: deps.console.secureCookies }),
    ...notificationPageRoutes({ db: deps.db, clock: deps.clock, i18n: deps.i18n, sessionSecret: deps.console.sessionSecret, secureCookies: deps.console.secureCookies }),
    ...rulePageRoutes({ ...deps.cases, i18n: deps.i18n, sessionSecret: deps.console.sessionSecret, secureCookies: deps.console.secureCookies }),
    ...escalationPageRoutes({ ...deps.cases, i18n: deps.i18n, sessionSecret: deps.console.sessionSecret, secureCookies: deps.console.secureCookies }),
    ...erasurePageRoutes({ ...deps.cases, i18n: deps.i18n, sessionSecret: deps.console.sessionSecret, secureCookies: deps.console.secureCookies }),
    ...adminRoutes(admin),
    ...voicePromptPageRoutes(admin),
    ...tokenPageRoutes({ db: deps.db, clock: deps.clock, i18n: deps.i18n, sessionSecret: deps.console.sessionSecret, secureCookies: deps.console.secureCookies }),
    ...cannedReplyRoutes({ db: deps.db, i18n: deps.i18n, sessionSecret: deps.console.sessionSecret, secureCookies: deps.console.secureCookies }),
    ...replyCounterRoutes(),
    ...voicePromptRoutes({ voice }),
    ...personExportPageRoutes({ ...deps.cases, i18n: deps.i18n, sessionSecret: deps.console.sessionSecret, secureCookies: deps.console.secureCookies }),
    ...callbackPageRoutes({ db: deps.db, i18n: deps.i18n, sessionSecret: deps.console.sessionSecret, secureCookies: deps.console.secureCookies, callbacks }),
  ];
  app.use(mountRoutes(express.Router(), routes, deps.authenticate));

  app.use(notFoundHandler);
  app.use(createErrorHandler(deps.i18n));
  return app;
}

/** public/ sits at the project root, two levels up from dist/src or one from src. */
function publicDirectory(): string {
  return __dirname.includes(`${path.sep}dist${path.sep}`) ? '../../public' : '../public';
}

/** The language menu (each language in its own script) with its buttons: Viber's welcome. */
function viberWelcome(i18nInstance: i18n, botName = 'Migrant Hotline') {
  const text = i18nInstance.getFixedT('en', 'sms')('language.menu');
  return { botName, text, choices: choicesFor(i18nInstance, 'en', 'language.menu', text) ?? [] };
}
