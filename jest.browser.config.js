/** Browser tests: Playwright driving Debian's Chromium (`npm run test:browser`; needs /usr/bin/chromium). */
const swc = ['@swc/jest', { jsc: { target: 'es2022', parser: { syntax: 'typescript' } }, module: { type: 'commonjs', ignoreDynamic: true } }];

module.exports = {
  displayName: 'browser',
  testEnvironment: 'node',
  testTimeout: 300_000,
  // Each file has its own server, database and Chromium: two at once (the console layout in six
  // languages at two sizes takes about five minutes on one; the other files share the second).
  maxWorkers: 2,
  transform: { '^.+\\.ts$': swc },
  testMatch: ['<rootDir>/tests/browser/**/*.test.ts'],
  setupFilesAfterEnv: ['<rootDir>/tests/support/after-each-file.ts'],
  globalSetup: '<rootDir>/tests/support/global-setup.ts',
  globalTeardown: '<rootDir>/tests/support/global-teardown.ts',
};
