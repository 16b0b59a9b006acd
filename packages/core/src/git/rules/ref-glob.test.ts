import { describe, expect, it } from 'vitest';
import { isExactRefGlob, matchesRefGlob, refGlobIssue } from './ref-glob.js';

describe('matchesRefGlob', () => {
  it('keeps * within one path segment', () => {
    expect(matchesRefGlob('refs/heads/release/*', 'refs/heads/release/1.2')).toBe(true);
    expect(matchesRefGlob('refs/heads/release/*', 'refs/heads/release/1.2/hotfix')).toBe(false);
    expect(matchesRefGlob('refs/heads/*', 'refs/heads/feature/login')).toBe(false);
  });

  it('lets ** cross /, and **/ match no segment at all', () => {
    expect(matchesRefGlob('refs/heads/**', 'refs/heads/feature/login/v2')).toBe(true);
    expect(matchesRefGlob('refs/heads/**/fix', 'refs/heads/fix')).toBe(true);
    expect(matchesRefGlob('refs/heads/**/fix', 'refs/heads/a/b/fix')).toBe(true);
    expect(matchesRefGlob('refs/heads/**/fix', 'refs/heads/a/b/fixed')).toBe(false);
  });

  it('matches the full ref, so a tag named like a branch never passes a branch pattern', () => {
    expect(matchesRefGlob('refs/heads/main', 'refs/tags/main')).toBe(false);
    expect(matchesRefGlob('refs/tags/v*', 'refs/tags/v1.2.0')).toBe(true);
    expect(matchesRefGlob('refs/tags/v*', 'refs/heads/v1')).toBe(false);
    expect(matchesRefGlob('refs/heads/main', 'refs/heads/main2')).toBe(false);
  });

  it('treats . and + literally, ? as one character and [...] as a class', () => {
    expect(matchesRefGlob('refs/tags/v1.2', 'refs/tags/v1x2')).toBe(false);
    expect(matchesRefGlob('refs/tags/v?', 'refs/tags/v7')).toBe(true);
    expect(matchesRefGlob('refs/tags/v?', 'refs/tags/v/')).toBe(false);
    expect(matchesRefGlob('refs/tags/v[0-9]*', 'refs/tags/v3.1')).toBe(true);
    expect(matchesRefGlob('refs/tags/v[!0-9]*', 'refs/tags/v3.1')).toBe(false);
    expect(matchesRefGlob('refs/heads/a+b', 'refs/heads/a+b')).toBe(true);
  });
});

describe('refGlobIssue', () => {
  it('accepts full-ref globs', () => {
    for (const pattern of [
      'refs/heads/main',
      'refs/heads/release/*',
      'refs/tags/v*',
      'refs/heads/**',
      'refs/tags/v[0-9]*',
    ]) {
      expect(refGlobIssue(pattern)).toBeUndefined();
    }
  });

  it('refuses short names, .., shell metacharacters and unclosed classes with a reason', () => {
    expect(refGlobIssue('main')).toMatch(/refs\//);
    expect(refGlobIssue('refs/heads/../tags/x')).toMatch(/\.\./);
    expect(refGlobIssue('refs/heads/$(reboot)')).toMatch(/may not contain/);
    expect(refGlobIssue('refs/heads/a;b')).toMatch(/may not contain/);
    expect(refGlobIssue('refs/heads/a b')).toMatch(/may not contain/);
    expect(refGlobIssue('refs/heads/[abc')).toMatch(/not closed/);
    expect(refGlobIssue('refs/heads/***')).toMatch(/\*\*/);
  });
});

describe('isExactRefGlob', () => {
  it('tells a single ref from a pattern', () => {
    expect(isExactRefGlob('refs/heads/main')).toBe(true);
    expect(isExactRefGlob('refs/heads/release/*')).toBe(false);
    expect(isExactRefGlob('refs/tags/v?')).toBe(false);
  });
});
