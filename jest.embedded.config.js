/**
 * The tests of the embedded default itself, run on PGlite (`npm run test:embedded`): the processes
 * and the CLI on an on-disk data directory, the in-process outbox, and concurrency on PGlite's one
 * connection. CI runs the whole suite (`npm test`) on real PostgreSQL and Redis, then these here.
 */
const base = require('./jest.config.js');

const integration = base.projects.find((project) => project.displayName === 'integration');
const EMBEDDED = ['process', 'cli', 'erasure-cli', 'voice-placeholders', 'key-migration', 'jobs', 'referrals', 'sms-webhook'];

const shared = { ...base };
delete shared.projects;
module.exports = {
  ...shared,
  ...integration,
  displayName: 'embedded',
  testMatch: EMBEDDED.map((name) => `<rootDir>/tests/integration/${name}.test.ts`),
};
