import { describe, expect, it } from 'vitest';
import { errorExcerpt, formatErrorExcerpt } from './error-excerpt.js';

const nodeCrash = [
  '/srv/app/server.js:2',
  "function connect() { throw new Error('DATABASE_URL is not set'); }",
  '                     ^',
  '',
  'Error: DATABASE_URL is not set',
  '    at connect (/srv/app/server.js:2:28)',
  '    at Object.<anonymous> (/srv/app/server.js:3:1)',
  '    at Module._compile (node:internal/modules/cjs/loader:1554:14)',
  '    at Module.load (node:internal/modules/cjs/loader:1289:32)',
  '',
  'Node.js v20.20.2',
];

describe('the error excerpt of a crash', () => {
  it('quotes the thrown message above a stack trace, not the source line that mentions it, and the last lines said', () => {
    const excerpt = errorExcerpt(nodeCrash, 3);

    expect(excerpt.firstError).toBe('Error: DATABASE_URL is not set');
    expect(excerpt.lastLines).toEqual([
      'at Module._compile (node:internal/modules/cjs/loader:1554:14)',
      'at Module.load (node:internal/modules/cjs/loader:1289:32)',
      'Node.js v20.20.2',
    ]);
    expect(formatErrorExcerpt(excerpt)).toMatch(/^first error: Error: DATABASE_URL is not set; last output: /);
  });

  it("finds Python's exception line after its traceback header", () => {
    const lines = ['Traceback (most recent call last):', '  File "app.py", line 1', "KeyError: 'PORT'", 'exiting'];

    expect(errorExcerpt(lines, 1).firstError).toBe("KeyError: 'PORT'");
  });

  it('quotes nothing more when the error line is among the last lines, or when there is none', () => {
    expect(errorExcerpt(['starting', 'TypeError [ERR_INVALID_ARG_TYPE]: bad'], 3).firstError).toBeNull();
    expect(errorExcerpt(['starting', 'exiting'], 1)).toEqual({ firstError: null, lastLines: ['exiting'] });
  });
});
