/**
 * The answer to an ACME HTTP-01 validation request (RFC 8555 §8.3): `GET /.well-known/acme-challenge/<token>` gets
 * the token's key authorization as `text/plain`, before any route is looked at, on every host.
 */

/** The path prefix of HTTP-01 challenges. */
export const acmeChallengePathPrefix = '/.well-known/acme-challenge/';

/** A key authorization the router answers with. */
export interface AcmeKeyAuthorization {
  readonly keyAuthorization: string;
}

/** The key authorization for `path` when it is a challenge under way; undefined otherwise. */
export function acmeKeyAuthorizationFor(
  http01: ReadonlyMap<string, string> | undefined,
  path: string,
): string | undefined {
  if (http01 === undefined || !path.startsWith(acmeChallengePathPrefix)) return undefined;
  return http01.get(path.slice(acmeChallengePathPrefix.length));
}

/** The whole response; `isClosing` adds `Connection: close`, a HEAD request gets the head only. */
export function acmeHttp01ResponseText(
  keyAuthorization: string,
  requestId: string,
  isClosing: boolean,
  isHeadRequest: boolean,
): string {
  const head =
    'HTTP/1.1 200 OK\r\ncontent-type: text/plain\r\n' +
    `content-length: ${Buffer.byteLength(keyAuthorization)}\r\ncache-control: no-store\r\n` +
    `x-request-id: ${requestId}\r\n${isClosing ? 'connection: close\r\n' : ''}\r\n`;
  return isHeadRequest ? head : head + keyAuthorization;
}
