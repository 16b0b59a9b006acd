/**
 * Runs `git http-backend` as a CGI child for one request (RFC 3875): the request's metadata in its environment, the
 * (already decoded) body on its stdin, the CGI answer read from its stdout. Bounded and deadlined: the CGI header may
 * not exceed 16 KiB, stderr keeps its last 8 KiB for the log, and the child is killed when the deadline passes or the
 * signal aborts (the client went away, slipwayd is stopping).
 */
import { spawn } from 'node:child_process';
import { PassThrough, type Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { SlipwayError } from '@slipway/contract';

export interface GitBackendRequest {
  /** The directory holding the repositories (`GIT_PROJECT_ROOT`). */
  readonly projectRoot: string;
  /** `/<repository>.git/info/refs`, `/<repository>.git/git-receive-pack` … */
  readonly pathInfo: string;
  readonly method: 'GET' | 'POST';
  readonly query: string;
  readonly contentType?: string | undefined;
  /** The client's `Git-Protocol` header (protocol v2 for fetches). */
  readonly gitProtocol?: string | undefined;
  /** Who pushes: http-backend refuses receive-pack without one. */
  readonly remoteUser: string;
  readonly remoteAddr: string;
  /** The request body, already decompressed. */
  readonly body?: Readable | undefined;
  readonly timeoutMs: number;
  readonly signal: AbortSignal;
}

export interface GitBackendAnswer {
  readonly status: number;
  readonly headers: Readonly<Record<string, string>>;
  readonly body: Readable;
  /** Resolves when the child has exited: true when it exited 0 before its deadline. */
  readonly succeeded: Promise<boolean>;
  /** The end of its stderr, for the log. */
  stderr(): string;
}

const maxHeaderBytes = 16 * 1024;
const maxStderrBytes = 8 * 1024;
/** The CGI headers passed on to the client; anything else http-backend says stays here. */
const passedHeaders = new Set(['content-type', 'cache-control', 'expires', 'pragma', 'last-modified']);

export async function runGitHttpBackend(request: GitBackendRequest): Promise<GitBackendAnswer> {
  const child = spawn('git', ['http-backend'], {
    stdio: ['pipe', 'pipe', 'pipe'],
    env: {
      PATH: process.env['PATH'] ?? '/usr/bin:/bin',
      // Neither the system's nor a user's git configuration applies to the repositories slipwayd hosts.
      GIT_CONFIG_NOSYSTEM: '1',
      GIT_CONFIG_GLOBAL: '/dev/null',
      HOME: request.projectRoot,
      GIT_PROJECT_ROOT: request.projectRoot,
      GIT_HTTP_EXPORT_ALL: '1',
      GATEWAY_INTERFACE: 'CGI/1.1',
      SERVER_PROTOCOL: 'HTTP/1.1',
      REQUEST_METHOD: request.method,
      PATH_INFO: request.pathInfo,
      QUERY_STRING: request.query,
      REMOTE_USER: request.remoteUser,
      REMOTE_ADDR: request.remoteAddr,
      ...(request.contentType === undefined ? {} : { CONTENT_TYPE: request.contentType }),
      ...(request.gitProtocol === undefined ? {} : { GIT_PROTOCOL: request.gitProtocol }),
    },
  });
  let stderr = '';
  child.stderr.setEncoding('utf8');
  child.stderr.on('data', (text: string) => {
    stderr = (stderr + text).slice(-maxStderrBytes);
  });
  let isTimedOut = false;
  const kill = (): void => {
    if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
  };
  const timer = setTimeout(() => {
    isTimedOut = true;
    kill();
  }, request.timeoutMs);
  request.signal.addEventListener('abort', kill, { once: true });
  if (request.signal.aborted) kill();
  const exited = new Promise<boolean>((resolve) => {
    child.once('error', () => resolve(false));
    child.once('close', (code) => {
      clearTimeout(timer);
      request.signal.removeEventListener('abort', kill);
      resolve(code === 0 && !isTimedOut);
    });
  });
  if (request.body === undefined) {
    child.stdin.end();
  } else {
    // The child may stop reading early (a refused request): a broken pipe then is its answer, not ours to report.
    pipeline(request.body, child.stdin).catch(() => kill());
  }
  try {
    const { status, headers, rest } = await readCgiHeader(child.stdout);
    const body = new PassThrough();
    if (rest.length > 0) body.write(rest);
    child.stdout.pipe(body);
    return { status, headers, body, succeeded: exited, stderr: () => stderr };
  } catch (error) {
    kill();
    await exited;
    if (error instanceof SlipwayError) throw error;
    throw new SlipwayError('INTERNAL', `git http-backend gave no answer${isTimedOut ? ' before its deadline' : ''}`);
  }
}

/**
 * Reads the CGI header block (up to the blank line) and keeps the body bytes that came with it. Listens instead of
 * iterating: leaving a `for await` early would destroy the stream the body is still to come from.
 */
function readCgiHeader(stdout: Readable): Promise<{ status: number; headers: Record<string, string>; rest: Buffer }> {
  return new Promise((resolve, reject) => {
    let buffered = Buffer.alloc(0);
    const stop = (): void => {
      stdout.off('data', onData);
      stdout.off('end', onEnd);
      stdout.off('error', onEnd);
      stdout.pause();
    };
    const onData = (chunk: Buffer): void => {
      buffered = Buffer.concat([buffered, chunk]);
      const end = headerEnd(buffered);
      if (end !== undefined) {
        stop();
        const header = parseCgiHeader(buffered.toString('latin1', 0, end.at));
        resolve({ ...header, rest: buffered.subarray(end.at + end.length) });
      } else if (buffered.length > maxHeaderBytes) {
        stop();
        reject(new SlipwayError('INTERNAL', `git http-backend sent more than ${maxHeaderBytes} bytes of CGI header`));
      }
    };
    const onEnd = (): void => {
      stop();
      reject(new SlipwayError('INTERNAL', 'git http-backend ended before its CGI header'));
    };
    stdout.on('data', onData);
    stdout.once('end', onEnd);
    stdout.once('error', onEnd);
  });
}

function headerEnd(buffered: Buffer): { at: number; length: number } | undefined {
  const crlf = buffered.indexOf('\r\n\r\n');
  const lf = buffered.indexOf('\n\n');
  if (crlf !== -1 && (lf === -1 || crlf < lf)) return { at: crlf, length: 4 };
  return lf === -1 ? undefined : { at: lf, length: 2 };
}

function parseCgiHeader(text: string): { status: number; headers: Record<string, string> } {
  let status = 200;
  const headers: Record<string, string> = {};
  for (const line of text.split(/\r?\n/)) {
    const colon = line.indexOf(':');
    if (colon <= 0) continue;
    const name = line.slice(0, colon).trim().toLowerCase();
    const value = line.slice(colon + 1).trim();
    if (name === 'status') {
      const code = Number.parseInt(value, 10);
      if (code >= 200 && code <= 599) status = code;
    } else if (passedHeaders.has(name)) {
      headers[name] = value;
    }
  }
  return { status, headers };
}
