/**
 * The `hint:` lines under an error: each names a fix that works from where the user stands — which depends on the
 * credential the CLI sent (none, the local admin token, a token given, a saved login) and on whether the API is on
 * this machine.
 */
import type { ErrorCode } from '@slipway/contract';
import { isLoopbackUrl, localServersPath } from './admin-token.js';
import type { CredentialKind } from './credentials.js';

type Env = Readonly<Record<string, string | undefined>>;

export interface HintContext {
  code: ErrorCode;
  apiUrl: string;
  credentialKind: CredentialKind;
  env: Env;
}

/** For a name or id that is not found: the command that lists the ones there are. */
const listingHints: Partial<Record<ErrorCode, string>> = {
  APP_NOT_FOUND: 'list the apps with: slipway apps list',
  DEPLOYMENT_NOT_FOUND: "list an app's deployments with: slipway deployments list APP",
  PROJECT_NOT_FOUND:
    'list the projects with: slipway projects list; create one with: slipway projects create NAME (or: apps create … --create-project)',
};

function unauthenticatedHints({ apiUrl, credentialKind, env }: HintContext): string[] {
  const tokenFix = 'pass an API token with --token or SLIPWAY_TOKEN (created with: slipway tokens create)';
  switch (credentialKind) {
    case 'flag':
    case 'env':
      return [
        `the token from ${credentialKind === 'flag' ? '--token' : 'SLIPWAY_TOKEN'} was refused (revoked, expired, or made by another slipwayd): create a new one with: slipway tokens create`,
      ];
    case 'login':
      return [`log in again with: slipway login --api ${apiUrl}`];
    case 'password':
      return [
        "a user with no password cannot log in: the owner sets one on the machine that runs slipwayd, where the CLI acts as the owner by itself (slipway users set-password admin); an admin sets or resets anyone else's (slipway users set-password NAME)",
      ];
    case 'admin-token':
      return [
        `the local admin token found for ${apiUrl} belongs to another slipwayd: set SLIPWAY_DATA_DIR to the data dir of the one at ${apiUrl}, or point --api at the one that owns the token`,
      ];
    case 'none':
      if (isLoopbackUrl(apiUrl))
        return [
          `no credential found for ${apiUrl}. On the machine that runs slipwayd, as the user that runs it, the CLI uses its admin token by itself: slipwayd registers its data dir in ${localServersPath(env)} at start; or set SLIPWAY_DATA_DIR to the data dir`,
          `otherwise ${tokenFix}, or log in (slipway login) as a user whose password is set (slipway users set-password NAME)`,
        ];
      return [
        `log in with: slipway login --api ${apiUrl} (the owner first sets a password on the machine that runs slipwayd: slipway users set-password admin)`,
        `or ${tokenFix}`,
      ];
  }
}

export function errorHints(context: HintContext): string[] {
  if (context.code === 'UNAUTHENTICATED') return unauthenticatedHints(context);
  if (context.code === 'UNAVAILABLE')
    return [`slipway talks to ${context.apiUrl}; point it elsewhere with --api URL or SLIPWAY_API_URL`];
  const listing = listingHints[context.code];
  return listing === undefined ? [] : [listing];
}
