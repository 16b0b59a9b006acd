/**
 * Reads a request target (RFC 9112 §3.2) and a Host authority (RFC 9110 §7.2) strictly, and normalises the path the
 * router matches routes on (RFC 3986 §5.2.4), so that the route chosen and the path the app resolves agree: what
 * the app gets is what was routed on, and what two readers could resolve differently is refused.
 */

export interface RequestTarget {
  /** The authority of an absolute-form target (`http://a.test:8080/x` → `a.test:8080`); undefined otherwise. */
  readonly authority: string | undefined;
  /** Origin form (query included) with dot-segments removed, as routed on and sent upstream; `*` for OPTIONS *. */
  readonly path: string;
}

/**
 * Origin-form (`/path`), absolute-form (`http://…`, `https://…`, without userinfo) or, for OPTIONS, asterisk-form;
 * undefined for anything else: authority-form and CONNECT (the router is no forward proxy, and a parser that reads
 * CONNECT takes the bytes after it for a tunnel), a fragment, a backslash, a path whose encoded separators hide a
 * dot-segment. `target` is visible ASCII.
 */
export function parseRequestTarget(method: string, target: string): RequestTarget | undefined {
  if (method === 'CONNECT' || target.includes('#')) return undefined;
  if (target.charCodeAt(0) === 47) return originForm(undefined, target); // '/'
  if (target === '*') return method === 'OPTIONS' ? { authority: undefined, path: '*' } : undefined;
  const scheme = target.slice(0, 8).toLowerCase();
  const schemeEnd = scheme.startsWith('http://') ? 7 : scheme === 'https://' ? 8 : -1;
  if (schemeEnd === -1) return undefined;
  let end = schemeEnd;
  while (end < target.length && target.charCodeAt(end) !== 47 && target.charCodeAt(end) !== 63) end += 1; // '/' '?'
  const authority = target.slice(schemeEnd, end);
  if (!isValidAuthority(authority)) return undefined;
  const rest = target.slice(end);
  return originForm(authority, rest === '' ? '/' : rest.charCodeAt(0) === 63 ? `/${rest}` : rest);
}

function originForm(authority: string | undefined, target: string): RequestTarget | undefined {
  const query = target.indexOf('?');
  const pathOnly = query === -1 ? target : target.slice(0, query);
  const normalised = normalisePath(pathOnly);
  if (normalised === undefined) return undefined;
  return { authority, path: normalised === pathOnly ? target : `${normalised}${target.slice(pathOnly.length)}` };
}

/**
 * RFC 3986 §5.2.4 on an absolute path: `.` and `..` segments (also percent-encoded, `%2e`, as URL parsers decode
 * them) resolved, never above the root. Undefined for a backslash (WHATWG URL parsers read it as `/`) and for a
 * segment whose `%2f` or `%5c` hides a dot-segment (`a%2f..%2fadmin`), which a decoding app would resolve elsewhere.
 */
export function normalisePath(path: string): string | undefined {
  if (!path.includes('/.') && !path.includes('%') && !path.includes('\\')) return path;
  if (path.includes('\\')) return undefined;
  const segments = path.split('/');
  const kept: string[] = [];
  for (let i = 1; i < segments.length; i += 1) {
    const segment = segments[i] ?? '';
    const dots = dotSegmentOf(segment);
    if (dots === 0) {
      if (hidesDotSegment(segment)) return undefined;
      kept.push(segment);
      continue;
    }
    if (dots === 2) kept.pop();
    // A path ending in a dot-segment names a directory: `/a/b/..` is `/a/`.
    if (i === segments.length - 1) kept.push('');
  }
  return `/${kept.join('/')}`;
}

/** 1 for `.`, 2 for `..` (either possibly as `%2e`), else 0. */
function dotSegmentOf(segment: string): 0 | 1 | 2 {
  if (segment.length === 0 || segment.length > 6) return 0;
  const decoded = segment.toLowerCase().replaceAll('%2e', '.');
  return decoded === '.' ? 1 : decoded === '..' ? 2 : 0;
}

function hidesDotSegment(segment: string): boolean {
  if (!segment.includes('%')) return false;
  const pieces = segment.toLowerCase().replaceAll('%5c', '/').replaceAll('%2f', '/').split('/');
  return pieces.length > 1 && pieces.some((piece) => dotSegmentOf(piece) !== 0);
}

/**
 * `host[:port]`: a DNS name or IPv4 address (letters, digits, `-`, `.`, `_`) or a bracketed IPv6 address, then at
 * most a port of 1–5 digits. No userinfo (`a.test:@evil.test` names two hosts to two readers), no percent-encoding,
 * no empty port.
 */
export function isValidAuthority(authority: string): boolean {
  let at = 0;
  if (authority.charCodeAt(0) === 91) {
    // '[' IPv6 ']'
    const close = authority.indexOf(']');
    if (close < 3) return false;
    for (let i = 1; i < close; i += 1) if (!isIpv6Char(authority.charCodeAt(i))) return false;
    at = close + 1;
  } else {
    while (at < authority.length && isHostChar(authority.charCodeAt(at))) at += 1;
    if (at === 0) return false;
  }
  if (at === authority.length) return true;
  if (authority.charCodeAt(at) !== 58) return false; // ':'
  const digits = authority.length - at - 1;
  if (digits < 1 || digits > 5) return false;
  for (let i = at + 1; i < authority.length; i += 1) {
    const code = authority.charCodeAt(i);
    if (code < 48 || code > 57) return false;
  }
  return true;
}

function isHostChar(code: number): boolean {
  return (
    (code >= 97 && code <= 122) || // a-z
    (code >= 65 && code <= 90) || // A-Z
    (code >= 48 && code <= 57) || // 0-9
    code === 45 || // '-'
    code === 46 || // '.'
    code === 95 // '_'
  );
}

function isIpv6Char(code: number): boolean {
  return (
    (code >= 48 && code <= 58) || // 0-9 ':'
    (code >= 97 && code <= 102) || // a-f
    (code >= 65 && code <= 70) || // A-F
    code === 46 // '.' (IPv4 in IPv6)
  );
}
