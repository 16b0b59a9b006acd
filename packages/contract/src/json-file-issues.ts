/**
 * Issues of a JSON file the catalog reads (a snapshot, a KV export), worded as `manifest-issues.ts` words a manifest's
 * — the place, the value given, what is expected — with JSON's names for lists and mappings rather than YAML's.
 */
import type { z } from 'zod';
import { manifestIssues, type ManifestIssue } from './manifest-issues.js';
import { SlipwayError } from './slipway-error.js';
import type { ErrorCode } from './error-code.js';

const yamlWords: readonly [string, string][] = [
  ['a list ("- item" lines)', 'an array'],
  ['a mapping ("key: value" lines)', 'an object'],
];

export function jsonFileIssues(error: z.ZodError, input: unknown): ManifestIssue[] {
  return manifestIssues(error, input).map((issue) => ({
    path: issue.path,
    message: yamlWords.reduce((message, [yaml, json]) => message.replaceAll(yaml, json), issue.message),
  }));
}

/** The issue of a file that is not JSON at all. */
export function notJsonIssue(error: unknown): ManifestIssue {
  return { path: '(root)', message: `is not JSON: ${error instanceof Error ? error.message : String(error)}` };
}

/** `<what> is invalid: path: message; …` (the first 20 issues in the message, all of them in `details.issues`). */
export function invalidFileError(code: ErrorCode, what: string, issues: readonly ManifestIssue[]): SlipwayError {
  const listed = issues.slice(0, 20).map((issue) => `${issue.path}: ${issue.message}`);
  const more = issues.length > listed.length ? `; and ${issues.length - listed.length} more` : '';
  return new SlipwayError(code, `${what} is invalid: ${listed.join('; ')}${more}`, { details: { issues } });
}
