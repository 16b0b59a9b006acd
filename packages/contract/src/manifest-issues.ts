/**
 * Manifest problems in the user's words: each zod issue becomes its place in the file (`processes.web.replicas`) and
 * what is wrong there with how to fix it — the value given, what is expected, and "did you mean" for a near miss —
 * never the validator's own text ("Invalid discriminator value"). `slipway validate` and a deployment that fails on
 * its manifest print the same lines.
 */
import type { z } from 'zod';
import { closestName } from './strict-object.js';

export interface ManifestIssue {
  path: string;
  message: string;
}

type Issue = z.core.$ZodIssue;
type PathKey = PropertyKey;

/**
 * Formats zod issues as `path: message` pairs; the root is called `(root)`, an unknown key is named in the path.
 * `input` is the document that was checked: with it, a message quotes the value that is wrong.
 */
export function manifestIssues(error: z.ZodError, input?: unknown): ManifestIssue[] {
  return error.issues.map((issue) => {
    const path =
      issue.code === 'unrecognized_keys' && issue.keys.length === 1 ? [...issue.path, ...issue.keys] : issue.path;
    return { path: formatPath(path), message: describeIssue(issue, valueAt(input, issue.path)) };
  });
}

/**
 * A process type the manifest declares that nothing gives a command: a builder gives `web` at most (a `start`
 * script, a Dockerfile's CMD), so any other type needs `command:` in the manifest or a line of the Procfile.
 */
export function missingCommandIssue(processType: string): ManifestIssue {
  return {
    path: `processes.${processType}.command`,
    message: `process type "${processType}" has no command: add "command: …" under processes.${processType}, or a "${processType}: …" line to the Procfile`,
  };
}

/** `slipway.yaml is invalid: path: message; …`: how a deployment fails on its manifest. */
export function manifestInvalidMessage(issues: readonly ManifestIssue[]): string {
  return `slipway.yaml is invalid: ${issues.map((i) => `${i.path}: ${i.message}`).join('; ')}`;
}

export function formatPath(path: readonly PathKey[]): string {
  return path.length === 0 ? '(root)' : path.map(String).join('.');
}

function describeIssue(issue: Issue, value: unknown): string {
  const key = lastKey(issue.path);
  switch (issue.code) {
    case 'invalid_type':
      if (value === undefined) return `is required: give it ${expectedName(issue.expected)}`;
      return `must be ${expectedName(issue.expected)}, not ${describeValue(value)}`;
    case 'invalid_value': {
      const options = issue.values.map(String);
      return oneOf(key ?? 'value', value, options);
    }
    case 'invalid_union': {
      if ('discriminator' in issue && typeof issue.discriminator === 'string') {
        const listed: unknown = (issue as { options?: unknown }).options;
        const options = Array.isArray(listed) ? listed.map(String) : [];
        if (value === undefined) return `is required: one of ${options.join(', ')}`;
        return oneOf(issue.discriminator, value, options);
      }
      return describeUnion(issue.errors, value);
    }
    case 'invalid_key': {
      const inner = issue.issues[0];
      return `"${String(key)}" cannot be a key here: it ${inner === undefined ? 'is not allowed' : describeIssue(inner, key)}`;
    }
    case 'too_small':
      return describeBound('at least', issue.origin, issue.minimum, value);
    case 'too_big':
      return describeBound('at most', issue.origin, issue.maximum, value);
    case 'unrecognized_keys':
      // A schema built with plain `.strict()` (not `strictObject`) leaves zod's "Unrecognized key: …".
      return /^Unrecognized keys?:/.test(issue.message)
        ? issue.keys.map((k) => `unknown key "${k}"`).join('; ')
        : issue.message;
    case 'invalid_format':
    case 'custom':
    case 'not_multiple_of':
    case 'invalid_element':
      return isValidatorText(issue.message) ? `is not valid (${describeValue(value)})` : issue.message;
  }
}

/** `unknown builder "nod" (did you mean "node"?): use one of auto, procfile, node, …`. */
function oneOf(what: PathKey, value: unknown, options: readonly string[]): string {
  const hint = typeof value === 'string' ? closestName(value, options) : undefined;
  const given = typeof value === 'string' ? `"${value}"` : describeValue(value);
  return `unknown ${String(what)} ${given}${hint === undefined ? '' : ` (did you mean "${hint}"?)`}: use one of ${options.join(', ')}`;
}

/** A value several types may take (`env` values: text, a number, true or false): what each branch expected. */
function describeUnion(branches: readonly (readonly Issue[])[], value: unknown): string {
  const expected = branches.flatMap((issues) =>
    issues.length === 1 && issues[0]?.code === 'invalid_type' && issues[0].path.length === 0
      ? [expectedName(issues[0].expected)]
      : [],
  );
  if (expected.length === branches.length && expected.length > 0)
    return `must be ${[...new Set(expected)].join(' or ')}, not ${describeValue(value)}`;
  // One branch got further than the others (the right type, a wrong detail): its problem is the one to fix.
  const deepest = [...branches].sort((a, b) => depth(b) - depth(a))[0]?.[0];
  return deepest === undefined ? `is not valid (${describeValue(value)})` : describeIssue(deepest, value);
}

const depth = (issues: readonly Issue[]): number => Math.max(0, ...issues.map((i) => i.path.length));

function describeBound(direction: string, origin: string, limit: number | bigint, value: unknown): string {
  const n = Number(limit);
  switch (origin) {
    case 'string':
      return n === 1 && direction === 'at least' ? 'must not be empty' : `must be ${direction} ${n} characters long`;
    case 'array':
    case 'set':
      return `must have ${direction} ${n} ${n === 1 ? 'item' : 'items'}`;
    default:
      return `must be ${direction} ${n}, not ${describeValue(value)}`;
  }
}

function expectedName(expected: string): string {
  switch (expected) {
    case 'number':
      return 'a number';
    case 'int':
      return 'a whole number';
    case 'string':
      return 'text';
    case 'boolean':
      return 'true or false';
    case 'array':
      return 'a list ("- item" lines)';
    case 'object':
    case 'record':
    case 'map':
      return 'a mapping ("key: value" lines)';
    default:
      return expected;
  }
}

function describeValue(value: unknown): string {
  if (value === undefined) return 'nothing';
  if (value === null) return 'empty (null)';
  if (typeof value === 'string') return `the text "${value.length > 40 ? `${value.slice(0, 40)}…` : value}"`;
  if (typeof value === 'number' || typeof value === 'boolean') return String(value);
  if (Array.isArray(value)) return 'a list';
  return 'a mapping';
}

/** zod's own wording, which says nothing a user can act on. */
function isValidatorText(message: string): boolean {
  return /^Invalid (input|option|discriminator|key|element|string|format)\b/.test(message);
}

function lastKey(path: readonly PathKey[]): PathKey | undefined {
  return path[path.length - 1];
}

function valueAt(input: unknown, path: readonly PathKey[]): unknown {
  let value = input;
  for (const key of path) {
    if (value === null || typeof value !== 'object') return undefined;
    value = (value as Record<PropertyKey, unknown>)[key];
  }
  return value;
}
