/** Browser tests: Playwright driving Debian's Chromium (`npm run test:browser`; needs /usr/bin/chromium). */
const swc = ['@swc/jest', { jsc: { target: 'es2022', parser: { syntax: 'typescript' } }, module: { type: 'commonjs', ignoreDynamic: true } }];

module.exports = {
  displayName: 'browser',
  testEnvironment: 'node',
  testTimeout: 120_000,
  maxWorkers: 1,
  transform: { '^.+\\.ts$': swc },
  testMatch: ['<rootDir>/tests/browser/**/*.test.ts'],
  setupFilesAfterEnv: ['<rootDir>/tests/support/after-each-file.ts'],
  globalSetup: '<rootDir>/tests/support/global-setup.ts',
  globalTeardown: '<rootDir>/tests/support/global-teardown.ts',
};
