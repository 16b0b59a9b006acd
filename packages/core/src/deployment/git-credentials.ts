/**
 * Credentials in git URLs (`https://user:token@host/repo.git`) never stay in one: the request's URL is split into
 * the URL without them, which is stored and shown, and the credentials, sealed under the app environment's data key
 * like a secret and opened only for the fetch, which hands them to git outside its command line.
 */
import { SlipwayError } from '@slipway/contract';
import type { CoreDeps } from '../core-deps.js';
import type { DeploymentRecord } from '../domain/records.js';
import type { GitCredentials } from '../ports/source-fetcher.js';
import { openSealedValue } from '../secrets/secret-vault.js';

/** `scheme://` and the authority up to its last `@` (userinfo), then the rest. */
const userinfoPattern = /^([a-z][a-z0-9+.-]*:\/\/)([^/?#]*)@([^/?#]*(?:[/?#].*)?)$/is;

function decode(text: string): string {
  try {
    return decodeURIComponent(text);
  } catch {
    return text;
  }
}

/**
 * Splits credentials off an http(s) URL. A password in any other scheme is refused (ssh authenticates with a deploy
 * key, git:// not at all), without quoting the URL. Errors: `SOURCE_INVALID`.
 */
export function splitGitCredentials(url: string): { url: string; credentials?: GitCredentials } {
  const match = userinfoPattern.exec(url.trim());
  if (match === null) return { url };
  const [, scheme = '', userinfo = '', rest = ''] = match;
  const colon = userinfo.indexOf(':');
  const username = decode(colon === -1 ? userinfo : userinfo.slice(0, colon));
  const password = colon === -1 ? '' : decode(userinfo.slice(colon + 1));
  if (/^https?:\/\/$/i.test(scheme)) {
    const credentials = { username, password };
    return { url: `${scheme}${rest}`, ...(username === '' && password === '' ? {} : { credentials }) };
  }
  if (colon !== -1) {
    throw new SlipwayError(
      'SOURCE_INVALID',
      `a ${scheme.slice(0, -3)} git URL takes no password: use a deploy key (the URL is not repeated here, it holds a secret)`,
    );
  }
  return { url: url.trim() };
}

/** A git URL as it may be shown: without any password (records from before credentials were split off). */
export function redactGitUrl(url: string): string {
  const split = userinfoPattern.exec(url);
  if (split === null) return url;
  const [, scheme = '', userinfo = '', rest = ''] = split;
  return /^https?:\/\/$/i.test(scheme) || userinfo.includes(':') ? `${scheme}${rest}` : url;
}

/** The name and version sealed credentials are bound to: one deployment's, never a secret's name. */
export function gitCredentialsSealName(deploymentId: string): { name: string; version: number } {
  return { name: `slipway/git-credentials/${deploymentId}`, version: 1 };
}

/** The credentials a deployment's git source carries, opened for its fetch. Errors: `SECRET_UNREADABLE`. */
export async function openGitCredentials(
  deps: Pick<CoreDeps, 'store' | 'secretCipher' | 'ids' | 'clock'>,
  deployment: DeploymentRecord,
): Promise<GitCredentials | undefined> {
  const source = deployment.source;
  if (source.kind !== 'git' || source.sealedCredentials === undefined) return undefined;
  const { name, version } = gitCredentialsSealName(deployment.id);
  const scope = { appId: deployment.appId, environmentId: deployment.environmentId };
  const text = await openSealedValue(deps, scope, { name, version, sealed: source.sealedCredentials }, 'a git source');
  return JSON.parse(text) as GitCredentials;
}
