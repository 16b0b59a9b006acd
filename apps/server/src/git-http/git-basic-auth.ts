/**
 * Who is pushing or fetching: git sends HTTP Basic credentials (from a credential helper such as
 * `slipway git-credential`), whose password is a Slipway API or access token; the user name is not read. A
 * `Bearer` header (`http.extraHeader`) is taken as the API takes it.
 */
import { SlipwayError } from '@slipway/contract';
import { authenticate, type IdentityDeps, type Principal } from '@slipway/core';

/** Bounds what is decoded from a header: tokens are far shorter. */
const maxCredentialChars = 4096;

export async function authenticateGitRequest(
  identity: IdentityDeps,
  authorization: string | undefined,
): Promise<Principal> {
  if (authorization === undefined || authorization === '') {
    throw new SlipwayError(
      'UNAUTHENTICATED',
      'this repository needs a credential: a Slipway token as the password (git config credential.helper "!slipway git-credential")',
    );
  }
  if (/^Bearer\s/i.test(authorization)) return authenticate(identity, authorization);
  const match = /^Basic[ ]+([A-Za-z0-9+/=]+)\s*$/i.exec(authorization);
  const encoded = match?.[1];
  if (encoded === undefined || encoded.length > maxCredentialChars) {
    throw new SlipwayError(
      'UNAUTHENTICATED',
      'the Authorization header must be Basic (any user, a Slipway token as password)',
    );
  }
  const decoded = Buffer.from(encoded, 'base64').toString('utf8');
  const colon = decoded.indexOf(':');
  const token = colon === -1 ? '' : decoded.slice(colon + 1);
  if (token === '') throw new SlipwayError('UNAUTHENTICATED', 'the password must be a Slipway token');
  return authenticate(identity, `Bearer ${token}`);
}
