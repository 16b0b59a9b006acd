/**
 * Set by the bundler (scripts/build.mjs) and by Vitest's config: `true` only in slipwayd's test build
 * (`dist/slipwayd-test.mjs`) and in tests run from source. Code behind `if (SLIPWAY_TEST_BUILD)` is left out of the
 * release bundle.
 */
declare const SLIPWAY_TEST_BUILD: boolean;
