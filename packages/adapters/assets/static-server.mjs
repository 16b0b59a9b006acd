#!/usr/bin/env node
// Slipway's built-in static file server, run as is by Node inside app instances of the `static` builder.
//
// Usage: node static-server.mjs --dir <path> [--spa]
// Listens on $PORT (0 picks a free port) at $HOST (default 127.0.0.1). GET and HEAD only. Serves index.html for
// directories; with --spa, or when the directory holds a 200.html, unknown paths get 200.html (else index.html) with
// status 200. Hidden files (any path segment starting with ".", except .well-known) are never served.
import { createReadStream } from 'node:fs';
import { realpath, stat } from 'node:fs/promises';
import { createServer } from 'node:http';
import { extname, join, resolve, sep } from 'node:path';
import { pipeline } from 'node:stream/promises';

const contentTypes = {
  '.html': 'text/html; charset=utf-8',
  '.htm': 'text/html; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.mjs': 'text/javascript; charset=utf-8',
  '.json': 'application/json; charset=utf-8',
  '.map': 'application/json; charset=utf-8',
  '.webmanifest': 'application/manifest+json; charset=utf-8',
  '.txt': 'text/plain; charset=utf-8',
  '.md': 'text/markdown; charset=utf-8',
  '.csv': 'text/csv; charset=utf-8',
  '.xml': 'application/xml; charset=utf-8',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.jpg': 'image/jpeg',
  '.jpeg': 'image/jpeg',
  '.gif': 'image/gif',
  '.webp': 'image/webp',
  '.avif': 'image/avif',
  '.ico': 'image/x-icon',
  '.woff': 'font/woff',
  '.woff2': 'font/woff2',
  '.ttf': 'font/ttf',
  '.otf': 'font/otf',
  '.wasm': 'application/wasm',
  '.pdf': 'application/pdf',
  '.mp4': 'video/mp4',
  '.webm': 'video/webm',
  '.mp3': 'audio/mpeg',
  '.wav': 'audio/wav',
  '.zip': 'application/zip',
  '.gz': 'application/gzip',
};

function parseArgs(argv) {
  const options = { dir: '.', isSpa: false };
  for (let i = 0; i < argv.length; i += 1) {
    const arg = argv[i];
    if (arg === '--dir') options.dir = argv[++i] ?? '.';
    else if (arg.startsWith('--dir=')) options.dir = arg.slice('--dir='.length);
    else if (arg === '--spa') options.isSpa = true;
    else {
      process.stderr.write(`static-server: unknown argument ${arg}\n`);
      process.exit(2);
    }
  }
  return options;
}

const options = parseArgs(process.argv.slice(2));
const root = await realpath(resolve(options.dir)).catch(() => {
  process.stderr.write(`static-server: directory not found: ${options.dir}\n`);
  process.exit(2);
});
const port = Number(process.env.PORT ?? 8080);
const host = process.env.HOST || '127.0.0.1';

async function statOrUndefined(path) {
  try {
    return await stat(path);
  } catch {
    return undefined;
  }
}

/** Maps a URL path to a real file path inside root, or undefined (traversal, hidden file, outside via symlink). */
async function resolveInside(urlPath) {
  const segments = urlPath.split('/').filter((s) => s !== '' && s !== '.');
  if (segments.some((s) => s === '..' || s.includes('\0') || s.includes('\\'))) return undefined;
  if (segments.some((s) => s.startsWith('.') && s !== '.well-known')) return undefined;
  const candidate = join(root, ...segments);
  let real;
  try {
    real = await realpath(candidate);
  } catch {
    return { path: candidate, segments, stats: undefined };
  }
  if (!isInsideRoot(real)) return undefined;
  return { path: real, segments, stats: await statOrUndefined(real) };
}

/** A regular file at `path` whose real path is inside root: `404.html → /etc/passwd` is not served. */
async function fileAt(path) {
  let real;
  try {
    real = await realpath(path);
  } catch {
    return undefined;
  }
  if (!isInsideRoot(real)) return undefined;
  const stats = await statOrUndefined(real);
  return stats?.isFile() ? { path: real, stats } : undefined;
}

function isInsideRoot(real) {
  return real === root || real.startsWith(root + sep);
}

async function fallbackFile() {
  const spaPage = await fileAt(join(root, '200.html'));
  if (spaPage) return spaPage;
  return options.isSpa ? fileAt(join(root, 'index.html')) : undefined;
}

function sendText(res, status, text, headers = {}) {
  res.writeHead(status, {
    'Content-Type': 'text/plain; charset=utf-8',
    'Content-Length': Buffer.byteLength(text),
    ...headers,
  });
  res.end(res.req.method === 'HEAD' ? undefined : text);
}

function isNotModified(req, etag, mtime) {
  const ifNoneMatch = req.headers['if-none-match'];
  if (ifNoneMatch !== undefined) {
    return ifNoneMatch.split(',').some((tag) => tag.trim() === etag || tag.trim() === '*');
  }
  const ifModifiedSince = Date.parse(req.headers['if-modified-since'] ?? '');
  return Number.isFinite(ifModifiedSince) && Math.floor(mtime.getTime() / 1000) * 1000 <= ifModifiedSince;
}

async function sendFile(req, res, file, status = 200) {
  const { path, stats } = file;
  const etag = `W/"${stats.size.toString(16)}-${Math.floor(stats.mtimeMs).toString(16)}"`;
  const headers = {
    ETag: etag,
    'Last-Modified': stats.mtime.toUTCString(),
    'Cache-Control': 'no-cache',
    'X-Content-Type-Options': 'nosniff',
  };
  if (status === 200 && isNotModified(req, etag, stats.mtime)) {
    res.writeHead(304, headers);
    res.end();
    return 304;
  }
  res.writeHead(status, {
    ...headers,
    'Content-Type': contentTypes[extname(path).toLowerCase()] ?? 'application/octet-stream',
    'Content-Length': stats.size,
  });
  if (req.method === 'HEAD') {
    res.end();
    return status;
  }
  await pipeline(createReadStream(path), res).catch(() => res.destroy());
  return status;
}

async function handle(req, res) {
  if (req.method !== 'GET' && req.method !== 'HEAD') {
    sendText(res, 405, 'method not allowed\n', { Allow: 'GET, HEAD' });
    return 405;
  }
  // The request target is split by hand: URL parsing would read `//host/x` as another host and drop the path.
  const target = /^https?:\/\//i.test(req.url ?? '')
    ? new URL(req.url).pathname + new URL(req.url).search
    : req.url || '/';
  const queryAt = target.indexOf('?');
  const search = queryAt === -1 ? '' : target.slice(queryAt);
  let pathname;
  try {
    pathname = decodeURIComponent(queryAt === -1 ? target : target.slice(0, queryAt));
  } catch {
    sendText(res, 400, 'bad request\n');
    return 400;
  }
  const found = await resolveInside(pathname);
  if (found?.stats?.isDirectory()) {
    if (!pathname.endsWith('/')) {
      // Built from the cleaned segments so `//other.host` can never become a redirect to another site.
      const location = `/${found.segments.map(encodeURIComponent).join('/')}/${search}`;
      res.writeHead(301, { Location: location, 'Content-Length': 0 });
      res.end();
      return 301;
    }
    const index = await fileAt(join(found.path, 'index.html'));
    if (index) return sendFile(req, res, index);
  } else if (found?.stats?.isFile()) {
    return sendFile(req, res, { path: found.path, stats: found.stats });
  }
  const fallback = await fallbackFile();
  if (fallback) return sendFile(req, res, fallback);
  const notFoundPage = await fileAt(join(root, '404.html'));
  if (notFoundPage) return sendFile(req, res, notFoundPage, 404);
  sendText(res, 404, 'not found\n');
  return 404;
}

const server = createServer((req, res) => {
  const startedAt = performance.now();
  handle(req, res)
    .then((status) => {
      const durationMs = Math.round(performance.now() - startedAt);
      process.stdout.write(`${req.method} ${req.url} ${status} ${durationMs}ms\n`);
    })
    .catch((error) => {
      process.stderr.write(`static-server: ${error?.stack ?? error}\n`);
      if (!res.headersSent) sendText(res, 500, 'internal error\n');
      else res.destroy();
    });
});

server.listen(port, host, () => {
  const address = server.address();
  process.stdout.write(`static-server listening on http://${host}:${address.port} serving ${root}\n`);
});

function shutdown(signal) {
  process.stdout.write(`static-server received ${signal}, closing\n`);
  server.close(() => process.exit(0));
  server.closeIdleConnections();
  // Requests still streaming get a moment to finish; then the process goes regardless.
  setTimeout(() => process.exit(0), 5000).unref();
}
process.once('SIGTERM', () => shutdown('SIGTERM'));
process.once('SIGINT', () => shutdown('SIGINT'));
