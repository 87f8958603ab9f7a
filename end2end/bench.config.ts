import { defineConfig } from '@playwright/test';
import config from './playwright.config';

// The link-confirm benchmark: same browser settings as the tests, its own server, no time limit
// per assertion beyond the run's.
export default defineConfig({
  ...config,
  testDir: './bench',
  globalSetup: undefined,
  globalTeardown: undefined,
  timeout: 600_000,
  reporter: [['line']],
});
