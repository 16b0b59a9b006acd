import { defineConfig } from 'vitest/config';

export default defineConfig({
  // Tests run slipwayd's source as its test build (failpoints honoured); see apps/server/src/build-flavour.d.ts.
  define: { SLIPWAY_TEST_BUILD: 'true' },
  test: {
    include: ['packages/*/src/**/*.test.ts', 'apps/*/src/**/*.test.ts', 'test/**/*.test.ts'],
    exclude: ['**/node_modules/**', '**/dist/**', 'test/fixtures/**'],
    // Skip reasons given at run time (`context.skip(reason)`) reach the JSON report CI reads.
    setupFiles: ['packages/testkit/src/record-skip-reasons.ts'],
    pool: 'forks',
    testTimeout: 60_000,
    hookTimeout: 60_000,
  },
});
