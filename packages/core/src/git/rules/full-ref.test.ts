import { describe, expect, it } from 'vitest';
import { eventKindOfRef, fullRefIssue } from './full-ref.js';

describe('fullRefIssue', () => {
  it('accepts branches and tags as git names them', () => {
    for (const ref of ['refs/heads/main', 'refs/heads/release/1.2', 'refs/tags/v1.0.0', 'refs/heads/feature/a-b_c+d']) {
      expect(fullRefIssue(ref)).toBeUndefined();
    }
  });

  it('refuses .., shell metacharacters and what git check-ref-format forbids', () => {
    const refused = [
      'main',
      'refs/heads/../../etc',
      'refs/heads/a..b',
      'refs/heads/$(touch x)',
      'refs/heads/`id`',
      'refs/heads/a;rm',
      'refs/heads/a|b',
      'refs/heads/a&b',
      'refs/heads/a b',
      'refs/heads/a\nb',
      'refs/heads/a~1',
      'refs/heads/a^',
      'refs/heads/a:b',
      'refs/heads/a*',
      'refs/heads/a@{1}',
      'refs/heads//a',
      'refs/heads/a/',
      'refs/heads/a.lock',
      'refs/heads/.hidden',
      `refs/heads/${'a'.repeat(1100)}`,
      '',
    ];
    for (const ref of refused) expect(fullRefIssue(ref), ref).toBeDefined();
  });
});

describe('eventKindOfRef', () => {
  it('calls a branch a push and a tag a tag, and nothing else either', () => {
    expect(eventKindOfRef('refs/heads/main')).toBe('push');
    expect(eventKindOfRef('refs/tags/v1')).toBe('tag');
    expect(eventKindOfRef('refs/pull/1/head')).toBeUndefined();
  });
});
