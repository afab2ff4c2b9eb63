import { parseArgs } from 'node:util';
import pino from 'pino';
import type { Language } from './cases/case.vocabulary';
import type { PromptKey } from './channels/voice/voice-call';
import {
  DEFAULT_PLACEHOLDER_LANGUAGES,
  espeakAvailable,
  makePlaceholders,
  placeholderLanguagesProblem,
  placeholderPlan,
  type PlaceholderStep,
} from './channels/voice/voice-placeholders';
import { voicePromptOverview } from './channels/voice/voice-prompts.service';
import { describeRegistration, registerChannelWebhooks } from './channels/webhook-registration';
import { ConfigError, loadConfig, type Config } from './config';
import { migrateToLatest } from './db/migrator';
import { openHotline, sealAfterMigrations, type Hotline } from './hotline';
import { AppError } from './http/errors';
import { createLogger } from './observability/logger';
import { createOrganisation } from './orgs/organisation.service';
import { eraseNow, findPeopleToErase, planErasure, type ErasureCounts, type ErasureSubject } from './privacy/erasure.service';
import { planRetention, runRetention, type RetentionReport } from './privacy/retention.service';
import { seedDemo } from './seed/demo-seed';
import { migrateKeysToEnd } from './privacy/key-migration.service';
import { rewrapPersonKeys } from './privacy/person-keys';
import { PASSWORD_MAX_LENGTH, PASSWORD_MIN_LENGTH } from './users/password';
import { createOrUpdateUser, issueApiToken } from './users/user.service';

// The admin CLI. Results go to stdout (token:create prints the token and nothing else);
// logs and errors go to stderr.

/** Where a CLI run reads and writes; the process's own streams unless a test gives others. */
export interface CliIo {
  stdin: AsyncIterable<Buffer | string> & { isTTY?: boolean };
  stdout: { write(text: string): unknown };
  stderr: { write(text: string): unknown };
}

interface Command {
  usage: string;
  summary: string;
  options: Record<string, { type: 'string' | 'boolean' }>;
  /** Checked before the database is opened: a reason to refuse the run, or undefined. */
  refuse?(config: Config, values: Record<string, string | boolean | undefined>): string | undefined;
  run?(hotline: Hotline, values: Record<string, string | boolean | undefined>, io: CliIo): Promise<void>;
  /**
   * A command that needs only the configuration, not the database: it runs beside a server that
   * holds the embedded data directory. Resolves to the exit code.
   */
  runOnConfig?(config: Config, io: CliIo): Promise<number>;
}

const COMMANDS: Record<string, Command> = {
  migrate: {
    usage: 'migrate',
    summary: 'apply every pending database migration',
    options: {},
    async run(hotline, _values, io) {
      const applied = await migrateToLatest(hotline.db);
      await sealAfterMigrations(hotline);
      io.stdout.write(applied.length > 0 ? `applied: ${applied.join(', ')}\n` : 'database is up to date\n');
    },
  },
  seed: {
    usage: 'seed --demo [--force]',
    summary: 'load the fictional demo network (organisations, users, rules, historic cases); idempotent; refused when NODE_ENV=production unless --force',
    options: { demo: { type: 'boolean' }, force: { type: 'boolean' } },
    refuse(config, values) {
      if (config.env !== 'production' || values['force']) return undefined;
      // The demo puts 16 fictional organisations and 19 users sharing one printed password into
      // the database: in production that is a way in for anyone who reads the README.
      return 'seed --demo refused: NODE_ENV=production, and the demo adds fictional organisations and users who all share one password. ' +
        'To start a real network use org:create and user:create (see README, "Production"); add --force only for a throwaway database.';
    },
    async run(hotline, values, io) {
      if (!values['demo']) throw new UsageError('seed needs --demo (the only data set there is)');
      await migrateToLatest(hotline.db);
      const result = await seedDemo(hotline);
      if (!result.seeded) {
        io.stdout.write('demo data is already there; nothing changed\n');
        return;
      }
      io.stdout.write(`demo data loaded\nsign in as ${result.signIn?.email} with password ${result.signIn?.password}\n`);
    },
  },
  'org:create': {
    usage: 'org:create --slug S --name N --country CC [--kind ngo|union|legal_aid|embassy|government|network] [--province CODE[,CODE…]] [--city C] [--nationality CC[,CC…]] [--time-zone ZONE] [--discreet]',
    summary: 'create an organisation (the network itself: --kind network); provinces are ISO codes such as TH-63, nationalities only for embassies; the time zone (IANA, such as Asia/Kuala_Lumpur) defaults to the country\'s',
    options: {
      slug: { type: 'string' }, name: { type: 'string' }, country: { type: 'string' }, kind: { type: 'string' },
      province: { type: 'string' }, city: { type: 'string' }, nationality: { type: 'string' }, 'time-zone': { type: 'string' }, discreet: { type: 'boolean' },
    },
    async run(hotline, values, io) {
      const organisation = await createOrganisation(
        hotline,
        {
          slug: requireString(values, 'slug'),
          name: requireString(values, 'name'),
          country: requireString(values, 'country'),
          kind: typeof values['kind'] === 'string' ? values['kind'] : 'ngo',
          provinces: listOf(values['province']),
          nationalities: listOf(values['nationality']),
          ...(typeof values['city'] === 'string' ? { city: values['city'] } : {}),
          ...(typeof values['time-zone'] === 'string' ? { timeZone: values['time-zone'] } : {}),
          discreetByDefault: values['discreet'] === true,
        },
        { kind: 'cli' },
      );
      io.stdout.write(`organisation ${organisation.slug} created (${organisation.id})\n`);
    },
  },
  'user:create': {
    usage: `user:create --email E --role R --org SLUG [--name N] [--locale my|km|lo|th|vi|en]  (password on stdin, ${PASSWORD_MIN_LENGTH} to ${PASSWORD_MAX_LENGTH} characters)`,
    summary: 'create a user, or reset the role, organisation and password of an existing one',
    options: { email: { type: 'string' }, role: { type: 'string' }, org: { type: 'string' }, name: { type: 'string' }, locale: { type: 'string' } },
    async run(hotline, values, io) {
      const password = (await readStdin(io)).replace(/\r?\n$/, '');
      const user = await createOrUpdateUser(
        hotline,
        {
          email: requireString(values, 'email'),
          role: requireString(values, 'role') as never,
          organisationSlug: requireString(values, 'org'),
          ...(typeof values['name'] === 'string' ? { displayName: values['name'] } : {}),
          ...(typeof values['locale'] === 'string' ? { locale: values['locale'] as never } : {}),
          password,
        },
        { kind: 'cli' },
      );
      io.stdout.write(`user ${user.email} saved (${user.id})\n`);
    },
  },
  'token:create': {
    usage: 'token:create --email E [--name N]',
    summary: 'issue an API token for a user and print it (only the token, on stdout)',
    options: { email: { type: 'string' }, name: { type: 'string' } },
    async run(hotline, values, io) {
      const token = await issueApiToken(
        hotline,
        { email: requireString(values, 'email'), ...(typeof values['name'] === 'string' ? { name: values['name'] } : {}) },
        { kind: 'cli' },
      );
      io.stdout.write(`${token}\n`);
    },
  },
  'voice:placeholders': {
    usage: 'voice:placeholders [--language my,th,vi,en] [--yes] [--replace]',
    summary: 'make placeholder recordings of the phone line\'s prompts with Debian\'s espeak-ng, marked "placeholder (espeak-ng)" in the console, ' +
      'to try the line out (default: my, which Twilio has no voice for; espeak-ng has none for km or lo); lists what it would make unless --yes; ' +
      'an admin\'s own recording is kept unless --replace',
    options: { language: { type: 'string' }, yes: { type: 'boolean' }, replace: { type: 'boolean' } },
    refuse(_config, values) {
      const languages = listOf(values['language']);
      return languages.length > 0 ? placeholderLanguagesProblem(languages) : undefined;
    },
    async run(hotline, values, io) {
      const named = listOf(values['language']) as Language[];
      const languages = named.length > 0 ? named : DEFAULT_PLACEHOLDER_LANGUAGES;
      const replace = values['replace'] === true;
      const steps = await placeholderPlan(hotline, languages, { replace });
      const describeStep = (step: PlaceholderStep) => `${step.language} ${step.key}: ${
        !step.make ? 'kept (an admin\'s recording; --replace to overwrite it)' : step.now === 'recording' ? 'replaces an admin\'s recording' : step.now === 'placeholder' ? 'placeholder made again' : 'placeholder made'}`;
      if (values['yes'] !== true) {
        io.stdout.write(`dry run: nothing changed; add --yes to make these\n${steps.map((step) => `${describeStep(step)}\n`).join('')}`);
        if (!(await espeakAvailable())) io.stderr.write('espeak-ng is not installed (Debian: apt-get install espeak-ng); --yes needs it\n');
        return;
      }
      if (!(await espeakAvailable())) throw new Error('espeak-ng is not installed (Debian: apt-get install espeak-ng)');
      const words = (key: PromptKey, language: Language) => hotline.i18n.getFixedT(language, 'voice')(key);
      for (const step of steps.filter((item) => !item.make)) io.stdout.write(`${describeStep(step)}\n`);
      const made = await makePlaceholders({ ...hotline, words }, steps, (step) => io.stdout.write(`${describeStep(step)}\n`));
      const offered = (await voicePromptOverview(hotline)).filter((entry) => entry.offered).map((entry) => entry.language);
      io.stdout.write(`${made} placeholder recording(s) made; the phone menu offers: ${offered.join(', ')}\n`);
    },
  },
  erase: {
    usage: 'erase --reference REF | --phone +E164 | --person ID [--reason worker_request|legal_order|created_in_error|other] [--yes]',
    summary: "erase a worker's personal data: the worker of a case, every worker who used a number (SMS, WhatsApp, voice), or a person by id, " +
      'with everyone merged with them; prints what would go unless --yes; a case under legal hold refuses it; audited',
    options: { reference: { type: 'string' }, phone: { type: 'string' }, person: { type: 'string' }, reason: { type: 'string' }, yes: { type: 'boolean' } },
    refuse(_config, values) {
      const named = ['reference', 'phone', 'person'].filter((name) => typeof values[name] === 'string');
      if (named.length !== 1) return 'erase needs exactly one of --reference, --phone or --person';
      if (typeof values['phone'] === 'string' && !/^\+[1-9]\d{6,14}$/.test(values['phone'])) return '--phone must be an E.164 number such as +66812345678';
      if (typeof values['person'] === 'string' && !UUID.test(values['person'])) return '--person must be a person id (a UUID)';
      if (values['reason'] !== undefined && !(CLI_ERASURE_REASONS as readonly string[]).includes(String(values['reason']))) return `--reason must be one of ${CLI_ERASURE_REASONS.join(', ')}`;
      return undefined;
    },
    async run(hotline, values, io) {
      const subject: ErasureSubject = typeof values['reference'] === 'string' ? { reference: values['reference'] }
        : typeof values['phone'] === 'string' ? { phone: values['phone'] } : { personId: String(values['person']) };
      const people = await findPeopleToErase(hotline, subject);
      if (people.length === 0) throw new Error('no worker found: nothing to erase');
      const reason = (typeof values['reason'] === 'string' ? values['reason'] : 'worker_request') as (typeof CLI_ERASURE_REASONS)[number];
      if (values['yes'] !== true) io.stdout.write('dry run: nothing changed; add --yes to erase\n');
      for (const personId of people) {
        const plan = await planErasure(hotline, { scope: 'person', personId });
        const cases = plan.caseReferences.length > 0 ? plan.caseReferences.join(', ') : 'no case';
        if (values['yes'] !== true) {
          io.stdout.write(`person ${personId} (${cases}): would erase ${describeCounts(plan.counts)}\n`);
          if (plan.heldCaseReferences.length > 0) io.stdout.write(`  refused while under legal hold: ${plan.heldCaseReferences.join(', ')}\n`);
          continue;
        }
        const outcome = await eraseNow(hotline, { target: { scope: 'person', personId }, source: 'cli', reason });
        io.stdout.write(outcome.status === 'done'
          ? `person ${personId} (${cases}): erased (erasure ${outcome.erasureId}): ${describeCounts(outcome.summary)}\n`
          : `person ${personId} (${cases}): refused (erasure ${outcome.erasureId}): under legal hold: ${plan.heldCaseReferences.join(', ')}\n`);
      }
    },
  },
  'retention:run': {
    usage: 'retention:run [--yes]',
    summary: 'erase personal data of cases resolved or closed longer ago than RETENTION_MONTHS (or their organisation\'s shorter period), not under legal hold; ' +
      'purge inbound spool files not stored in 30 days, sessions ended 30 days ago, spent rate limits, old notifications; prints what it would do unless --yes',
    options: { yes: { type: 'boolean' } },
    async run(hotline, values, io) {
      const deps = { ...hotline, retentionMonths: hotline.config.retentionMonths };
      if (values['yes'] !== true) {
        io.stdout.write(`dry run: nothing changed; add --yes to do it\n${describeRetention(await planRetention(deps), 'would')}`);
        return;
      }
      io.stdout.write(describeRetention(await runRetention(deps), 'did'));
    },
  },
  'keys:migrate': {
    usage: 'keys:migrate [--batch N]',
    summary: 'move personal values sealed before per-person data keys (ENCRYPTION_KEY alone) to each person\'s own key, a batch of people at a time; ' +
      'resumes where it stopped, safe beside a running hotline; prints progress and the values left under the old scheme (0 when done; exit code 1 otherwise)',
    options: { batch: { type: 'string' } },
    async run(hotline, values, io) {
      const batchSize = values['batch'] === undefined ? undefined : positiveInteger(values, 'batch');
      let batches = 0;
      let people = 0;
      const result = await migrateKeysToEnd(hotline, {
        ...(batchSize ? { batchSize } : {}),
        onStep(step) {
          batches += 1;
          people += step.people;
          if (batches % PROGRESS_EVERY === 0 || step.done) io.stdout.write(`${step.phase}: ${people} people walked, ${step.migrated} values sealed under their person's key\n`);
        },
      });
      const byTable = Object.entries(result.left).filter(([, count]) => count > 0).map(([table, count]) => `${table} ${count}`).join(', ');
      io.stdout.write(`values left under the old scheme: ${result.leftTotal}${byTable ? ` (${byTable})` : ''}\n`);
      if (result.leftTotal > 0) throw new Error('some values are still sealed under ENCRYPTION_KEY alone; run keys:migrate again');
    },
  },
  'keys:rewrap': {
    usage: 'keys:rewrap',
    summary: 'after an ENCRYPTION_KEY rotation (the old key in ENCRYPTION_KEYS_PREVIOUS), seal every person\'s data key again under the new key; ' +
      'the values sealed under those keys are not touched; safe to run again',
    options: {},
    async run(hotline, _values, io) {
      let after: string | null = null;
      let rewrapped = 0;
      do {
        const page = await rewrapPersonKeys(hotline.db, hotline.cipher, after);
        after = page.lastId;
        rewrapped += page.rewrapped;
      } while (after !== null);
      io.stdout.write(`${rewrapped} person data key(s) sealed again under the current ENCRYPTION_KEY\n`);
    },
  },
  'channels:register': {
    usage: 'channels:register',
    summary: 'point the LINE and Viber webhooks at PUBLIC_URL (https), for each channel configured; one line per channel; exit code 1 if any configured one failed',
    options: {},
    async runOnConfig(config, io) {
      const registrations = await registerChannelWebhooks(config);
      for (const registration of registrations) io.stdout.write(`${describeRegistration(registration)}\n`);
      return registrations.some((registration) => registration.outcome === 'failed') ? 1 : 0;
    },
  },
};

class UsageError extends Error {}

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
/** Why an operator erases (retention is the schedule's own reason). */
const CLI_ERASURE_REASONS = ['worker_request', 'legal_order', 'created_in_error', 'other'] as const;

/** A retention report, one figure a line. */
function describeRetention(report: RetentionReport, mood: 'would' | 'did'): string {
  const verb = mood === 'would' ? 'would erase' : 'erased';
  const lines = [
    `${verb} the personal data of ${report.people} worker(s) whose every case is past retention`,
    `${verb} the personal data of ${report.cases} case(s) of workers with other cases kept`,
    `${verb} the personal data of ${report.idle} worker(s) with no case kept, not heard from within the period`,
    ...(report.refused > 0 ? [`refused ${report.refused} erasure(s): a case came under legal hold`] : []),
    `${mood === 'would' ? 'would purge' : 'purged'}: inbound spool files ${report.spoolFiles}, sessions ${report.sessions}, rate-limit rows ${report.rateLimits}, notifications ${report.notifications}`,
  ];
  return `${lines.join('\n')}\n`;
}

/** Counts of an erasure as a line: `identities: 2, cases: 3, …` (kinds with none are left out). */
function describeCounts(counts: ErasureCounts | Record<string, number>): string {
  const words: [keyof ErasureCounts, string][] = [
    ['people', 'people'], ['contacts', 'identities'], ['cases', 'cases'], ['messages', 'messages'], ['notes', 'notes'], ['attachments', 'files'],
    ['referrals', 'referrals'], ['escalations', 'escalations'], ['calls', 'calls'], ['personKeys', 'data keys'], ['providerCopies', 'copies at Twilio to delete'],
  ];
  const count = (key: keyof ErasureCounts) => (counts as Record<string, number | undefined>)[key] ?? 0;
  const parts = words.flatMap(([key, word]) => (count(key) > 0 ? [`${word}: ${count(key)}`] : []));
  return parts.length > 0 ? parts.join(', ') : 'nothing';
}

/** keys:migrate prints a progress line every this many batches. */
const PROGRESS_EVERY = 20;

function positiveInteger(values: Record<string, string | boolean | undefined>, name: string): number {
  const value = Number(requireString(values, name));
  if (!Number.isInteger(value) || value < 1) throw new UsageError(`--${name} must be a whole number above 0`);
  return value;
}

function requireString(values: Record<string, string | boolean | undefined>, name: string): string {
  const value = values[name];
  if (typeof value !== 'string' || value.trim() === '') throw new UsageError(`--${name} is required`);
  return value;
}

async function readStdin(io: CliIo): Promise<string> {
  if (io.stdin.isTTY) io.stderr.write('password: ');
  const chunks: Buffer[] = [];
  for await (const chunk of io.stdin) chunks.push(Buffer.from(chunk));
  return Buffer.concat(chunks).toString('utf8');
}

function help(): string {
  const lines = Object.values(COMMANDS).map((command) => `  ${command.usage}\n      ${command.summary}`);
  return `usage: npm run cli -- <command> [options]\n\ncommands:\n${lines.join('\n')}\n`;
}

/** A comma-separated option as a list (`--province TH-63,TH-10`). */
function listOf(value: string | boolean | undefined): string[] {
  return typeof value === 'string' ? value.split(',').map((part) => part.trim()).filter(Boolean) : [];
}

// The reason code alone ("too_small") does not tell an operator what to type instead.
function explain(issue: { field: string; reason: string }): string {
  if (issue.field === 'password' && (issue.reason === 'too_small' || issue.reason === 'too_big')) {
    return ` — a password has ${PASSWORD_MIN_LENGTH} to ${PASSWORD_MAX_LENGTH} characters`;
  }
  if (issue.field === 'organisationSlug' && issue.reason === 'not_found') return ' — no organisation has this slug; create it first with org:create';
  return '';
}

function describe(error: unknown): string {
  if (error instanceof AppError) {
    const fields = error.issues.map((issue) => `${issue.field}: ${issue.reason}${explain(issue)}`).join('; ');
    return `${error.code}${fields ? ` (${fields})` : ''}`;
  }
  return error instanceof Error ? error.message : String(error);
}

/** Runs one CLI command; resolves to the process exit code. */
export async function runCli(
  argv: string[],
  env: NodeJS.ProcessEnv = process.env,
  io: CliIo = { stdin: process.stdin, stdout: process.stdout, stderr: process.stderr },
): Promise<number> {
  const [name, ...rest] = argv;
  if (!name || name === '--help' || name === '-h' || name === 'help') {
    io.stdout.write(help());
    return 0;
  }
  const command = COMMANDS[name];
  if (!command) {
    io.stderr.write(`unknown command: ${name}\n\n${help()}`);
    return 2;
  }
  let values: Record<string, string | boolean | undefined>;
  try {
    ({ values } = parseArgs({ args: rest, options: { ...command.options, help: { type: 'boolean' } }, strict: true }));
  } catch (error) {
    io.stderr.write(`${describe(error)}\nusage: ${command.usage}\n`);
    return 2;
  }
  if (values['help']) {
    io.stdout.write(`usage: npm run cli -- ${command.usage}\n  ${command.summary}\n`);
    return 0;
  }
  let hotline: Hotline | undefined;
  try {
    const config = loadConfig(env);
    const refusal = command.refuse?.(config, values);
    if (refusal) {
      io.stderr.write(`${refusal}\n`);
      return 1;
    }
    if (command.runOnConfig) return await command.runOnConfig(config, io);
    const logger = createLogger(config.logLevel === 'info' ? 'warn' : config.logLevel, pino.destination(2));
    hotline = await openHotline(config, logger, { jobRole: 'enqueue', migrate: name !== 'migrate' });
    await command.run?.(hotline, values, io);
    return 0;
  } catch (error) {
    if (error instanceof UsageError) {
      io.stderr.write(`${error.message}\nusage: ${command.usage}\n`);
      return 2;
    }
    io.stderr.write(`${error instanceof ConfigError ? 'configuration error: ' : 'error: '}${describe(error)}\n`);
    return 1;
  } finally {
    await hotline?.close();
  }
}

if (require.main === module) {
  void runCli(process.argv.slice(2)).then((code) => {
    process.exitCode = code;
  });
}
