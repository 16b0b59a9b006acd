// Type-aware lint; the layering rules keep dependencies pointing inward (contract ← core ← adapters ← apps).
import js from '@eslint/js';
import globals from 'globals';
import tseslint from 'typescript-eslint';

const skipMessage = 'a skip must say why: describe(name, skipUnless(need), fn) or context.skip(reason)';

const layer = (files, forbidden, message) => ({
  files,
  // Tests may use the testkit (contract suites, fakes) whatever layer they test.
  ignores: ['**/*.test.ts'],
  rules: {
    '@typescript-eslint/no-restricted-imports': ['error', { patterns: [{ group: forbidden, message }] }],
  },
});

export default tseslint.config(
  {
    ignores: ['**/node_modules/**', '**/dist/**', 'test/fixtures/**', '.slipway/**', 'bench/results/**'],
  },
  js.configs.recommended,
  ...tseslint.configs.recommendedTypeChecked,
  {
    languageOptions: { parserOptions: { projectService: true, tsconfigRootDir: import.meta.dirname } },
    rules: {
      '@typescript-eslint/no-floating-promises': 'error',
      '@typescript-eslint/no-misused-promises': 'error',
      '@typescript-eslint/switch-exhaustiveness-check': 'error',
      '@typescript-eslint/consistent-type-imports': 'error',
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
      '@typescript-eslint/require-await': 'off',
      '@typescript-eslint/ban-ts-comment': [
        'error',
        { 'ts-expect-error': 'allow-with-description', 'ts-ignore': true },
      ],
    },
  },
  {
    // The shipped scripts (build, start, test, the benchmarks, the static server, the bins): type-aware like the
    // TypeScript (floating promises, misused promises, template expressions), on Node's globals. JavaScript has no
    // annotations, so every parameter and parsed value is `any` to the type checker: the no-unsafe-* rules would
    // report the language, not a defect, and stay for TypeScript only.
    files: ['**/*.mjs'],
    languageOptions: { globals: globals.node },
    rules: {
      '@typescript-eslint/no-unsafe-argument': 'off',
      '@typescript-eslint/no-unsafe-assignment': 'off',
      '@typescript-eslint/no-unsafe-call': 'off',
      '@typescript-eslint/no-unsafe-member-access': 'off',
      '@typescript-eslint/no-unsafe-return': 'off',
    },
  },
  {
    // Every skip says why, where CI lists it: `describe(name, skipUnless(need), fn)` or `context.skip(reason)`.
    files: ['**/*.test.ts', 'test/**/*.ts', 'packages/testkit/src/**/*.ts'],
    rules: {
      'no-restricted-properties': [
        'error',
        { object: 'describe', property: 'skip', message: skipMessage },
        { object: 'describe', property: 'skipIf', message: skipMessage },
        { object: 'describe', property: 'runIf', message: skipMessage },
        { object: 'it', property: 'skip', message: skipMessage },
        { object: 'it', property: 'skipIf', message: skipMessage },
        { object: 'it', property: 'runIf', message: skipMessage },
        { object: 'test', property: 'skip', message: skipMessage },
        { object: 'test', property: 'skipIf', message: skipMessage },
        { object: 'test', property: 'runIf', message: skipMessage },
      ],
    },
  },
  layer(
    ['packages/contract/src/**'],
    ['@slipway/*', 'node:*', 'fastify', 'kysely', 'better-sqlite3', 'pino'],
    'contract is the wire vocabulary: it depends on nothing of ours and does no I/O',
  ),
  layer(
    ['packages/atomic-file/src/**'],
    ['@slipway/*'],
    'atomic-file is used by every program, the CLI and the edge too: it depends on nothing of ours',
  ),
  layer(
    ['packages/core/src/**'],
    [
      '@slipway/adapters',
      '@slipway/testkit',
      '@slipway/server',
      '@slipway/edge',
      '@slipway/cli',
      'node:fs*',
      'node:child_process',
      'node:net',
      'node:http',
      'fastify',
      'kysely',
      'better-sqlite3',
      'pino',
      'undici',
    ],
    'core imports no I/O library: add a port',
  ),
  layer(
    ['packages/adapters/src/**'],
    ['@slipway/server', '@slipway/cli', '@slipway/testkit'],
    'adapters implement ports; they do not know the apps',
  ),
  layer(
    ['apps/cli/src/**'],
    ['@slipway/core', '@slipway/adapters', '@slipway/server', '@slipway/edge'],
    'the CLI speaks only the contract',
  ),
  layer(
    ['apps/web/src/**'],
    ['@slipway/core', '@slipway/adapters', '@slipway/server', '@slipway/edge', '@slipway/testkit', 'node:*'],
    'the dashboard runs in the browser and speaks only the contract',
  ),
  {
    // The dashboard runs in the browser.
    files: ['apps/web/src/**'],
    languageOptions: { globals: globals.browser },
  },
  layer(
    ['apps/edge/src/**'],
    ['@slipway/core', '@slipway/adapters', '@slipway/server'],
    'the edge router is a separate process that knows only the contract',
  ),
  {
    // One module writes the files that must survive a crash: a rename anywhere else is a second, weaker copy of it.
    // Log rotation renames files it may lose.
    files: ['packages/*/src/**/*.ts', 'apps/*/src/**/*.ts'],
    ignores: [
      '**/*.test.ts',
      'packages/atomic-file/src/**',
      'packages/adapters/src/runtime/log-rotator.ts',
      'apps/edge/src/rotating-log-file.ts',
    ],
    rules: {
      'no-restricted-imports': [
        'error',
        {
          paths: ['node:fs', 'node:fs/promises', 'fs', 'fs/promises'].map((name) => ({
            name,
            importNames: ['rename', 'renameSync'],
            message:
              'a file that must survive a crash is written with @slipway/atomic-file (writeFileAtomic, createFileAtomic, renameDurably)',
          })),
        },
      ],
    },
  },
);
