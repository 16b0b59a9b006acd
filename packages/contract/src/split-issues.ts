/**
 * The checks of a route's traffic split that its schema's types cannot say (weights adding up to 100, unique release
 * numbers, token names, RE2 patterns; a weighted release without upstreams is fine: the edge sends its share to the
 * others). Zod-free: slipwayd's schema runs them
 * through `routeEntrySchema`, the edge router imports them alone (`@slipway/contract/split-issues`).
 */
import { headerPatternIssue } from './header-pattern.js';
import type { RouteSplit } from './routing-table.js';

/** Largest difference from 100 a split's weights may add up to (their sum is read as floating point). */
export const splitWeightTolerance = 0.001;

/** RFC 9110 §5.6.2 `token`: what header and cookie names are made of. */
export const tokenPattern = /^[!#$%&'*+\-.^_`|~0-9A-Za-z]+$/;

/** One issue of a split, at its path under `split`. */
export interface SplitIssue {
  readonly path: (string | number)[];
  readonly message: string;
}

/**
 * What is wrong with a split that has the right shape, against its route's upstreams: the checks the schema's types
 * cannot say. The edge router runs the same ones (`apps/edge/src/table-validator.ts`).
 */
export function splitIssues(split: RouteSplit): SplitIssue[] {
  const issues: SplitIssue[] = [];
  let sum = 0;
  const seen = new Set<number>();
  split.releases.forEach((release, index) => {
    sum += release.weight;
    if (seen.has(release.releaseNumber))
      issues.push({ path: ['releases', index, 'releaseNumber'], message: 'release numbers must be unique' });
    seen.add(release.releaseNumber);
    (release.matches ?? []).forEach((match, matchIndex) => {
      const at = ['releases', index, 'matches', matchIndex];
      if ('header' in match) {
        if (!tokenPattern.test(match.header))
          issues.push({ path: [...at, 'header'], message: 'a header name is a token (RFC 9110)' });
        const patternIssue = match.kind === 'regex' ? headerPatternIssue(match.value) : undefined;
        if (patternIssue !== undefined) issues.push({ path: [...at, 'value'], message: patternIssue });
      } else if (!tokenPattern.test(match.cookie))
        issues.push({ path: [...at, 'cookie'], message: 'a cookie name is a token (RFC 6265)' });
    });
  });
  if (Math.abs(sum - 100) > splitWeightTolerance)
    issues.push({ path: ['releases'], message: `weights must add up to 100, not ${sum}` });
  if (split.stickyCookie !== null && !tokenPattern.test(split.stickyCookie))
    issues.push({ path: ['stickyCookie'], message: 'a cookie name is a token (RFC 6265)' });
  return issues;
}
