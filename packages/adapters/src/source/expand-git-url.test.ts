import { isSlipwayError } from '@slipway/contract';
import { describe, expect, it } from 'vitest';
import { expandGitUrl, localGitPath } from './expand-git-url.js';

function codeOf(run: () => unknown): string | undefined {
  try {
    run();
  } catch (error) {
    return isSlipwayError(error) ? error.code : 'not a SlipwayError';
  }
  return undefined;
}

describe('expandGitUrl', () => {
  it('expands gh:, gl: and bb: shorthands into https clone URLs', () => {
    expect(expandGitUrl('gh:slipway/hello')).toBe('https://github.com/slipway/hello.git');
    expect(expandGitUrl('gh:slipway/hello.git')).toBe('https://github.com/slipway/hello.git');
    expect(expandGitUrl('gl:group/subgroup/project')).toBe('https://gitlab.com/group/subgroup/project.git');
    expect(expandGitUrl('bb:team/repo')).toBe('https://bitbucket.org/team/repo.git');
  });

  it('passes https, http, ssh, git, file URLs, scp-like addresses and absolute paths through unchanged', () => {
    for (const url of [
      'https://example.com/a/b.git',
      'http://10.0.0.1:8080/repo',
      'ssh://git@example.com:2222/srv/repo.git',
      'git://127.0.0.1:9418/repo',
      'file:///srv/git/repo.git',
      'git@github.com:owner/repo.git',
      '/srv/git/repo',
    ]) {
      expect(expandGitUrl(url)).toBe(url);
    }
  });

  it('refuses URLs that git would read as options, and remote-helper transports such as ext::', () => {
    expect(codeOf(() => expandGitUrl('--upload-pack=touch /tmp/pwned'))).toBe('SOURCE_INVALID');
    expect(codeOf(() => expandGitUrl('-u'))).toBe('SOURCE_INVALID');
    expect(codeOf(() => expandGitUrl('ext::sh -c touch% /tmp/pwned'))).toBe('SOURCE_INVALID');
    expect(codeOf(() => expandGitUrl('fd::17'))).toBe('SOURCE_INVALID');
    expect(codeOf(() => expandGitUrl('ssh://-oProxyCommand=touch%20x/repo'))).toBe('SOURCE_INVALID');
  });

  it('refuses shorthands that are not owner/repo, relative paths and unknown schemes', () => {
    for (const url of [
      'gh:justowner',
      'gh:a/b/c',
      'gh:../x',
      'bb:a/..',
      'relative/path',
      'ftp://example.com/repo',
      '',
      'https://host/a b',
    ]) {
      expect(
        codeOf(() => expandGitUrl(url)),
        url,
      ).toBe('SOURCE_INVALID');
    }
  });
});

describe('localGitPath', () => {
  it('names the directory of file:// URLs and absolute paths, and nothing for network URLs', () => {
    expect(localGitPath('file:///srv/my%20repo')).toBe('/srv/my repo');
    expect(localGitPath('/srv/repo')).toBe('/srv/repo');
    expect(localGitPath('https://example.com/repo.git')).toBeUndefined();
  });
});
