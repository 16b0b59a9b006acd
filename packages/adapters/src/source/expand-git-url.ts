/** Validates a git source URL and expands the `gh:` / `gl:` / `bb:` shorthands into clone URLs. */
import { SlipwayError } from '@slipway/contract';

const hosts = { gh: 'github.com', gl: 'gitlab.com', bb: 'bitbucket.org' } as const;

const accepted =
  'https://, http://, ssh://, git://, file:// URLs, git@host:path, absolute local paths, or gh:owner/repo, gl:group/repo, bb:owner/repo';

function invalid(url: string, why: string): SlipwayError {
  return new SlipwayError('SOURCE_INVALID', `git URL "${url}" ${why}; accepted: ${accepted}`, { details: { url } });
}

/**
 * Returns the URL git should fetch. Errors: `SOURCE_INVALID` for anything else — in particular URLs starting with `-`
 * (they would be read as options) and `transport::address` remote helpers such as `ext::` (they run commands).
 */
export function expandGitUrl(input: string): string {
  const url = input.trim();
  if (url === '') throw invalid(input, 'is empty');
  if (url.startsWith('-')) throw invalid(input, 'must not start with "-"');
  // eslint-disable-next-line no-control-regex -- control characters are exactly what this rejects
  if (/[\s\u0000-\u001f\u007f]/.test(url)) throw invalid(input, 'must not contain spaces or control characters');
  if (/^[A-Za-z][A-Za-z0-9+.-]*::/.test(url))
    throw invalid(input, 'uses a remote-helper transport ("…::"), which is not allowed');

  const shorthand = /^(gh|gl|bb):(.+)$/.exec(url);
  if (shorthand !== null) {
    const [, prefix = 'gh', rest = ''] = shorthand;
    const path = rest.replace(/\.git$/, '').replace(/\/+$/, '');
    // GitLab allows nested groups; GitHub and Bitbucket are strictly owner/repo.
    const segments = prefix === 'gl' ? '(?:/[A-Za-z0-9_.-]+)+' : '/[A-Za-z0-9_.-]+';
    if (
      !new RegExp(`^[A-Za-z0-9_.-]+${segments}$`).test(path) ||
      path.split('/').some((s) => s === '.' || s === '..')
    ) {
      throw invalid(input, `is not a valid ${prefix}: shorthand`);
    }
    return `https://${hosts[prefix as keyof typeof hosts]}/${path}.git`;
  }

  if (/^(https?|ssh|git):\/\//i.test(url)) {
    let parsed: URL;
    try {
      parsed = new URL(url);
    } catch {
      throw invalid(input, 'is not a valid URL');
    }
    // A host or user starting with "-" would reach ssh as an option (CVE-2017-1000117).
    if (
      parsed.hostname === '' ||
      parsed.hostname.startsWith('-') ||
      decodeURIComponent(parsed.username).startsWith('-')
    ) {
      throw invalid(input, 'has an invalid host or user');
    }
    return url;
  }
  if (/^file:\/\/\//i.test(url)) return url;
  if (/^[A-Za-z0-9_][A-Za-z0-9_.-]*@[A-Za-z0-9][A-Za-z0-9.-]*:[^-]/.test(url)) return url;
  if (url.startsWith('/')) return url;
  if (!/^[A-Za-z][A-Za-z0-9+.-]*:/.test(url)) {
    throw invalid(
      input,
      'is a relative path, which slipwayd cannot resolve: give an absolute path (the CLI resolves a relative one against its directory)',
    );
  }
  throw invalid(input, 'is not a recognised git URL');
}

/** The local filesystem path a URL points at (`file://` or an absolute path), or undefined for network URLs. */
export function localGitPath(url: string): string | undefined {
  if (url.startsWith('/')) return url;
  if (/^file:\/\//i.test(url)) return decodeURIComponent(new URL(url).pathname);
  return undefined;
}
