/**
 * Full-ref globs of deployment rules: `*` matches a run of characters within one path segment, `**` any run across
 * segments (`refs/heads/**` is every branch; `**\/` also matches no segment at all), `?` one character but `/`,
 * `[…]` a class (`[!…]` negated). Unlike an approval policy's ref patterns (`File.fnmatch`, where `**` is two `*`),
 * rules need "this branch and everything under it" in one pattern.
 */

const maxPatternLength = 512;
// eslint-disable-next-line no-control-regex -- the point is to refuse control characters
const forbiddenCharacters = /[\u0000-\u0020\u007f~^:\\$;&|<>(){}'"`#%]/u;

/** Why `pattern` cannot be a rule's pattern, or undefined. */
export function refGlobIssue(pattern: string): string | undefined {
  if (pattern.length === 0) return 'the pattern is empty';
  if (pattern.length > maxPatternLength) return `the pattern is longer than ${maxPatternLength} characters`;
  if (!pattern.startsWith('refs/')) return 'a pattern matches full refs: start it with refs/heads/ or refs/tags/';
  if (pattern.includes('..')) return 'a pattern may not contain ".."';
  if (forbiddenCharacters.test(pattern))
    return 'a pattern may not contain spaces, control characters or ~^:\\$;&|<>(){}\'"`#%';
  if (/\*{3,}/u.test(pattern)) return 'use * or **, not three or more *';
  let depth = 0;
  for (const char of pattern) {
    if (char === '[') depth++;
    else if (char === ']') depth = Math.max(0, depth - 1);
  }
  if (depth !== 0) return 'a [ class is not closed';
  return undefined;
}

/** True when the glob has no wildcard: it names exactly one ref. */
export function isExactRefGlob(pattern: string): boolean {
  return !/[*?[]/u.test(pattern);
}

const compiled = new Map<string, RegExp>();

export function matchesRefGlob(pattern: string, ref: string): boolean {
  let regex = compiled.get(pattern);
  if (regex === undefined) {
    regex = compileRefGlob(pattern);
    if (compiled.size > 1_000) compiled.clear();
    compiled.set(pattern, regex);
  }
  return regex.test(ref);
}

function compileRefGlob(pattern: string): RegExp {
  let source = '';
  for (let i = 0; i < pattern.length; i++) {
    const char = pattern[i] as string;
    if (char === '*' && pattern[i + 1] === '*') {
      if (pattern[i + 2] === '/') {
        source += '(?:.*/)?';
        i += 2;
      } else {
        source += '.*';
        i += 1;
      }
    } else if (char === '*') source += '[^/]*';
    else if (char === '?') source += '[^/]';
    else if (char === '[') {
      const end = pattern.indexOf(']', i + 2);
      if (end === -1) source += '\\[';
      else {
        const body = pattern.slice(i + 1, end).replace(/[\\\]]/gu, '\\$&');
        source += body.startsWith('!') ? `[^/${body.slice(1)}]` : `[${body}]`;
        i = end;
      }
    } else source += char.replace(/[.+^${}()|\\\]]/gu, '\\$&');
  }
  return new RegExp(`^${source}$`, 'u');
}
