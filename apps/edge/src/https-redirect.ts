/**
 * The redirect of a plain HTTP request to HTTPS (a custom domain with a certificate): 308 Permanent Redirect, which
 * keeps the method and body (RFC 9110 §15.4.9), to the same host and target on the edge's HTTPS port.
 */

export interface HttpsRedirect {
  readonly location: string;
}

/** `https://host[:port]/target`: the port left out when it is HTTPS's own (443). */
export function httpsLocation(host: string, port: number, target: string): string {
  return `https://${host}${port === 443 ? '' : `:${port}`}${target.startsWith('/') ? target : '/'}`;
}

/** The whole response; `isClosing` adds `Connection: close`, a HEAD request gets the head only. */
export function httpsRedirectText(
  location: string,
  requestId: string,
  isClosing: boolean,
  isHeadRequest: boolean,
): string {
  const body = `Moved to ${location}\n`;
  const head =
    'HTTP/1.1 308 Permanent Redirect\r\ncontent-type: text/plain; charset=utf-8\r\n' +
    `content-length: ${Buffer.byteLength(body)}\r\nlocation: ${location}\r\n` +
    `x-request-id: ${requestId}\r\n${isClosing ? 'connection: close\r\n' : ''}\r\n`;
  return isHeadRequest ? head : head + body;
}
