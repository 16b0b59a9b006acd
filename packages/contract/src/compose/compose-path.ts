/** Paths inside a compose project, joined POSIX-style without I/O (the server resolves them inside a checkout). */

/**
 * `dir` + `path` with `.` and `..` resolved, as `path.posix.resolve` does for an absolute `dir`: an absolute `path`
 * replaces `dir`, and `..` never climbs above the root (so `/..` is `/`).
 */
export function joinComposePath(dir: string, path: string): string {
  const joined = path.startsWith('/') ? path : `${dir}/${path}`;
  const parts: string[] = [];
  for (const part of joined.split('/')) {
    if (part === '' || part === '.') continue;
    if (part === '..') parts.pop();
    else parts.push(part);
  }
  return `/${parts.join('/')}`;
}

/** The directory of a `/`-separated path (`deploy/compose.yaml` → `deploy`, `compose.yaml` → ``). */
export function composeDirOf(path: string): string {
  const index = path.lastIndexOf('/');
  return index < 0 ? '' : path.slice(0, index);
}
