/**
 * The regular expressions a traffic split matches header values with: RE2 syntax, run by RE2's linear-time engine
 * (re2js), so no pattern can make one request cost more than a bounded pass over a bounded value. Zod-free: the edge
 * router imports it alone (`@slipway/contract/header-pattern`), slipwayd's schema through the index.
 */
import { RE2JS } from 're2js';

/** Longest pattern accepted, in characters. */
export const maxHeaderPatternLength = 256;

/**
 * Longest header value a pattern is tried on, in characters: a longer value never matches a pattern (an exact or
 * prefix match still applies), so the cost of one request is bounded whatever the client sends.
 */
export const maxHeaderValueForPatternLength = 1_024;

/** A compiled pattern; `test` finds it anywhere in the value (anchor it with `^`/`$`). */
export interface HeaderPattern {
  /** True when `value` (at most `maxHeaderValueForPatternLength` characters) contains a match. */
  test(value: string): boolean;
}

/**
 * Why `pattern` is refused, or undefined when it is accepted: too long, or not RE2 syntax — back-references and
 * look-arounds (which need backtracking), and repetitions whose counts multiply past RE2's 1,000, are not.
 */
export function headerPatternIssue(pattern: string): string | undefined {
  if (pattern.length > maxHeaderPatternLength) return `a pattern has at most ${maxHeaderPatternLength} characters`;
  try {
    RE2JS.compile(pattern);
    return undefined;
  } catch (error) {
    return `not an RE2 pattern (${(error as Error).message}); back-references and look-arounds are not supported`;
  }
}

/** Compiles a pattern `headerPatternIssue` accepted; throws on one it refuses. Compile once, test many times. */
export function compileHeaderPattern(pattern: string): HeaderPattern {
  const issue = headerPatternIssue(pattern);
  if (issue !== undefined) throw new Error(issue);
  const compiled = RE2JS.compile(pattern);
  return {
    test: (value) => value.length <= maxHeaderValueForPatternLength && compiled.test(value),
  };
}
