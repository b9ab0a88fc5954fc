import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    // One DynamoDB Local for the whole run; every test makes its own account, so tests do not collide.
    globalSetup: ['test/support/global-setup.ts'],
    setupFiles: ['test/support/env.ts'],
    testTimeout: 30_000,
    hookTimeout: 90_000,
    coverage: {
      provider: 'v8',
      include: ['shared/**/*.ts', 'functions/**/*.ts', 'infra/**/*.ts'],
      // The demo page runs in Chromium (test/browser/), where V8 coverage of this process cannot see it.
      exclude: ['infra/demo/page/**'],
      reporter: ['text-summary'],
      // The floor the suite must keep (CI fails below it); raise it when coverage rises. Functions went from
      // 93 to 92 when the CLIs and servers that tests run as child processes (npm start, npm run demo,
      // npm run smoke, the pipeline process) arrived: V8 coverage of this process does not see inside them.
      thresholds: { statements: 92, branches: 87, functions: 92, lines: 94 },
    },
  },
});
