/**
 * Reads fields out of a provider's JSON payload, which is untrusted: each read checks the type it expects and a
 * missing or mistyped field is a `VALIDATION_FAILED` naming its path (the delivery is then recorded as failed).
 */
import { maxPullRequestNumber, SlipwayError } from '@slipway/contract';

export type Json = unknown;

function at(value: Json, path: readonly (string | number)[]): Json {
  let current = value;
  for (const key of path) {
    if (current === null || typeof current !== 'object') return undefined;
    current = (current as Record<string | number, Json>)[key];
  }
  return current;
}

const invalid = (path: readonly (string | number)[], expected: string): SlipwayError =>
  new SlipwayError('VALIDATION_FAILED', `the payload's ${path.join('.')} is not ${expected}`, {
    details: { path: path.join('.') },
  });

/** A string at `path`; errors when absent or not a string. */
export function text(value: Json, ...path: (string | number)[]): string {
  const found = at(value, path);
  if (typeof found !== 'string') throw invalid(path, 'a string');
  return found;
}

/** A string at `path`, or undefined when absent or null. */
export function optionalText(value: Json, ...path: (string | number)[]): string | undefined {
  const found = at(value, path);
  if (found === undefined || found === null) return undefined;
  if (typeof found !== 'string') throw invalid(path, 'a string');
  return found;
}

/**
 * A pull request's number at `path`: from 1 to `maxPullRequestNumber`, since it names its preview's environment and
 * host (`pr--5` or `pr-0` is no number a provider gives) and the API's preview routes must reach it. Errors when
 * absent or out of range.
 */
export function pullRequestNumber(value: Json, ...path: (string | number)[]): number {
  const found = at(value, path);
  if (typeof found !== 'number' || !Number.isSafeInteger(found) || found < 1 || found > maxPullRequestNumber) {
    throw invalid(path, `a pull request number (1 to ${maxPullRequestNumber})`);
  }
  return found;
}

/** Any scalar id (number or string) at `path` as a string, or undefined when absent or null. */
export function optionalId(value: Json, ...path: (string | number)[]): string | undefined {
  const found = at(value, path);
  if (found === undefined || found === null) return undefined;
  if (typeof found === 'number' || typeof found === 'string') return String(found);
  throw invalid(path, 'an id');
}

export function flag(value: Json, ...path: (string | number)[]): boolean {
  return at(value, path) === true;
}

/** An array at `path` (empty when absent). */
export function list(value: Json, ...path: (string | number)[]): readonly Json[] {
  const found = at(value, path);
  if (found === undefined || found === null) return [];
  if (!Array.isArray(found)) throw invalid(path, 'a list');
  return found as Json[];
}

export function has(value: Json, ...path: (string | number)[]): boolean {
  const found = at(value, path);
  return found !== undefined && found !== null;
}

/** A commit id as the event carries it: null for the all-zero id providers send for a created or deleted ref. */
export function commitOrNull(id: string | undefined): string | null {
  if (id === undefined || id === '' || /^0+$/.test(id)) return null;
  if (!/^[0-9a-f]{7,64}$/i.test(id)) {
    throw new SlipwayError('VALIDATION_FAILED', 'the payload names a commit that is not a hex object id');
  }
  return id.toLowerCase();
}

/** `refs/heads/<name>` for a branch name, `refs/tags/<name>` for a tag; a full ref is kept as it is. */
export function fullRef(name: string, kind: 'branch' | 'tag'): string {
  if (name.startsWith('refs/')) return name;
  return kind === 'tag' ? `refs/tags/${name}` : `refs/heads/${name}`;
}
