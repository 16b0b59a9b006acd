/** Fetches one commit of a git repository with the `git` CLI into a plain directory (no `.git` left behind). */
import { mkdir, rm } from 'node:fs/promises';
import { join } from 'node:path';
import { SlipwayError, type SourceView } from '@slipway/contract';
import type { FetchOptions, GitCredentials, LocalSourceAccess } from '@slipway/core';
import { runProcessGroup, type ProcessGroupResult } from '../builder/run-process-group.js';
import { assertPathAllowed, type LocalSourcePolicy } from './local-source-policy.js';
import { expandGitUrl, localGitPath } from './expand-git-url.js';

export interface GitSourceConfig {
  /** Budget for the whole fetch (all git commands together). */
  gitTimeoutMs: number;
  localSources: LocalSourcePolicy;
  /**
   * Longest a git command may go without printing anything: a remote that accepts the connection and never
   * answers would otherwise hold a build slot for the whole `gitTimeoutMs`.
   */
  gitStallTimeoutMs: number;
}

interface Remote {
  /** Ref name → commit or tag object id, as `git ls-remote` lists them. */
  refs: Map<string, string>;
  /** The branch the remote's HEAD points at, when it says. */
  headBranch: string | undefined;
}

const progressIntervalMs = 1000;
const fullSha = /^(?:[0-9a-f]{40}|[0-9a-f]{64})$/i;
const shortSha = /^[0-9a-f]{4,39}$/i;
const refMissingPattern =
  /couldn't find remote ref|not our ref|no such remote ref|unadvertised object|did not match any/i;

/** Hides the password of `https://user:password@host/…` wherever the URL is shown (views, logs, errors). */
export function redactUrl(url: string): string {
  return url.replace(/^([a-z][a-z0-9+.-]*:\/\/[^/:@]*):[^/@]*@/i, '$1:***@');
}

function validateRef(ref: string): void {
  const isValid =
    /^[A-Za-z0-9._/@+-]+$/.test(ref) &&
    !/^[-+]/.test(ref) &&
    !ref.includes('..') &&
    !ref.includes('@{') &&
    !ref.endsWith('/') &&
    !ref.endsWith('.lock');
  if (!isValid)
    throw new SlipwayError('SOURCE_INVALID', `git ref "${ref}" is not a valid branch, tag or commit name`, {
      details: { ref },
    });
}

/** Variables that would point git at another repository than the one it creates (e.g. when Slipway runs inside a hook). */
const repositoryVariables =
  /^GIT_(DIR|WORK_TREE|INDEX_FILE|OBJECT_DIRECTORY|ALTERNATE_OBJECT_DIRECTORIES|COMMON_DIR|NAMESPACE|CEILING_DIRECTORIES|PREFIX|QUARANTINE_PATH)$/;

function gitEnv(hostEnv: NodeJS.ProcessEnv): Record<string, string | undefined> {
  const env = Object.fromEntries(Object.entries(hostEnv).filter(([key]) => !repositoryVariables.test(key)));
  // No prompts (a deployment has nobody to answer), only plain transports, and English messages for classification.
  return { ...env, GIT_TERMINAL_PROMPT: '0', GIT_ALLOW_PROTOCOL: 'file:git:http:https:ssh', LC_ALL: 'C' };
}

/**
 * Credentials as an `Authorization` header that git sends to this URL's origin only, given through git's
 * `GIT_CONFIG_*` environment: an environment is readable by this user alone, unlike a command line (`ps`), a URL
 * (git prints it) or `.git/config` (a file in the workspace).
 */
function credentialConfig(
  url: string,
  credentials: GitCredentials | undefined,
): { env: Record<string, string>; secrets: string[] } {
  if (credentials === undefined || !/^https?:\/\//i.test(url)) return { env: {}, secrets: [] };
  const token = Buffer.from(`${credentials.username}:${credentials.password}`).toString('base64');
  return {
    env: {
      GIT_CONFIG_COUNT: '1',
      GIT_CONFIG_KEY_0: `http.${new URL(url).origin}/.extraHeader`,
      GIT_CONFIG_VALUE_0: `Authorization: Basic ${token}`,
    },
    // A short user name (`git`) is no secret and would garble every line it appears in.
    secrets: [token, credentials.password, ...(credentials.username.length >= 4 ? [credentials.username] : [])],
  };
}

function parseLsRemote(text: string): Remote {
  const refs = new Map<string, string>();
  let headBranch: string | undefined;
  for (const line of text.split('\n')) {
    const symref = /^ref: refs\/heads\/(\S+)\tHEAD$/.exec(line);
    if (symref !== null) {
      headBranch = symref[1];
      continue;
    }
    const [id, name] = line.split('\t');
    if (id !== undefined && name !== undefined) refs.set(name, id);
  }
  return { refs, headBranch };
}

export async function fetchGitSource(
  request: { url: string; ref?: string; localAccess?: LocalSourceAccess },
  options: FetchOptions,
  config: GitSourceConfig,
): Promise<SourceView> {
  const url = expandGitUrl(request.url);
  const shownUrl = redactUrl(url);
  const password = /^[a-z][a-z0-9+.-]*:\/\/[^/:@]*:([^/@]+)@/i.exec(url)?.[1];
  const authentication = credentialConfig(url, options.gitCredentials);
  const hidden = [password, ...authentication.secrets].filter((s): s is string => s !== undefined && s !== '');
  const redact = (text: string) =>
    hidden.reduce((shown, secret) => shown.replaceAll(secret, '***'), text).replaceAll(url, shownUrl);
  const local = localGitPath(url);
  if (local !== undefined) await assertPathAllowed(local, config.localSources, request.localAccess);
  if (request.ref !== undefined) validateRef(request.ref);

  const { destDir, log, signal } = options;
  await mkdir(destDir, { recursive: true });
  const deadlineMs = Date.now() + config.gitTimeoutMs;
  const env = { ...gitEnv(process.env), ...authentication.env };
  let lastProgressAtMs = 0;

  const git = async (args: string[], what: string, isStdoutCaptured = false): Promise<ProcessGroupResult> => {
    const stall = new AbortController();
    const armStall = () => setTimeout(() => stall.abort(), config.gitStallTimeoutMs);
    let stallTimer = armStall();
    const result = await runProcessGroup({
      file: 'git',
      args,
      cwd: destDir,
      env,
      timeoutMs: deadlineMs - Date.now(),
      signal: signal === undefined ? stall.signal : AbortSignal.any([signal, stall.signal]),
      isStdoutCaptured,
      onLine: (line, { isProgress }) => {
        clearTimeout(stallTimer);
        stallTimer = armStall();
        if (line.trim() === '') return;
        if (isProgress) {
          if (Date.now() - lastProgressAtMs < progressIntervalMs) return;
          lastProgressAtMs = Date.now();
        }
        log(redact(line));
      },
    });
    clearTimeout(stallTimer);
    if (result.outcome === 'aborted' && stall.signal.aborted && signal?.aborted !== true) {
      throw new SlipwayError(
        'SOURCE_UNREACHABLE',
        `git ${what} of ${shownUrl} stalled: nothing came for ${config.gitStallTimeoutMs} ms`,
        { details: { url: shownUrl, stallTimeoutMs: config.gitStallTimeoutMs } },
      );
    }
    switch (result.outcome) {
      case 'exited':
        return result;
      case 'timed-out':
        throw new SlipwayError(
          'SOURCE_UNREACHABLE',
          `git ${what} of ${shownUrl} timed out after ${config.gitTimeoutMs} ms`,
          { details: { url: shownUrl } },
        );
      case 'aborted':
        throw new SlipwayError('INTERRUPTED', `git ${what} of ${shownUrl} was cancelled`, {
          details: { url: shownUrl },
        });
      case 'spawn-failed':
        throw new SlipwayError(
          'SOURCE_UNREACHABLE',
          `git could not run on the Slipway host: ${result.spawnError ?? 'unknown error'}`,
          {
            details: { url: shownUrl },
          },
        );
    }
  };
  const stderrTail = (result: ProcessGroupResult) => redact(result.tail.slice(-3).join(' / '));
  const mustSucceed = async (args: string[], what: string): Promise<ProcessGroupResult> => {
    const result = await git(args, what, true);
    if (result.exitCode !== 0)
      throw new SlipwayError('SOURCE_INVALID', `git ${what} failed: ${stderrTail(result)}`, {
        details: { url: shownUrl },
      });
    return result;
  };
  const refNotFound = (ref: string, extra = '') =>
    new SlipwayError('SOURCE_REF_NOT_FOUND', `ref "${ref}" was not found in ${shownUrl}${extra}`, {
      details: { url: shownUrl, ref },
    });

  await mustSucceed(['-c', 'init.defaultBranch=slipway', 'init', '-q', '--template='], 'init');
  await mustSucceed(['remote', 'add', 'origin', '--', url], 'remote add');

  log(`fetching ${shownUrl}${request.ref === undefined ? '' : ` at ${request.ref}`}`);
  const listing = await git(['ls-remote', '--symref', 'origin'], 'ls-remote', true);
  if (listing.exitCode !== 0) {
    throw new SlipwayError('SOURCE_UNREACHABLE', `cannot read git repository ${shownUrl}: ${stderrTail(listing)}`, {
      details: { url: shownUrl },
    });
  }
  const remote = parseLsRemote(listing.stdout);
  const ref = request.ref ?? 'HEAD';
  const shownRef = request.ref ?? remote.headBranch;

  const fetchShallow = async (what: string): Promise<boolean> => {
    const result = await git(['fetch', '--progress', '--no-tags', '--depth', '1', 'origin', what], 'fetch');
    if (result.exitCode === 0) return true;
    if (refMissingPattern.test(result.tail.join('\n'))) return false;
    throw new SlipwayError('SOURCE_UNREACHABLE', `cannot fetch ${shownUrl}: ${stderrTail(result)}`, {
      details: { url: shownUrl },
    });
  };

  let checkoutTarget: string | undefined;
  const refName = [ref, `refs/heads/${ref}`, `refs/tags/${ref}`].find((name) => remote.refs.has(name));
  if (refName !== undefined) {
    if (await fetchShallow(refName)) checkoutTarget = 'FETCH_HEAD';
  } else if (fullSha.test(ref)) {
    if (await fetchShallow(ref.toLowerCase())) checkoutTarget = 'FETCH_HEAD';
  } else if (shortSha.test(ref)) {
    // An abbreviated id of a branch or tag tip can still be fetched shallowly by its full id.
    const tip = [...remote.refs.values()].find((id) => id.startsWith(ref.toLowerCase()));
    if (tip !== undefined && (await fetchShallow(tip))) checkoutTarget = 'FETCH_HEAD';
  }
  if (checkoutTarget === undefined && refName === undefined && ref === 'HEAD')
    throw refNotFound(ref, ' (the repository is empty)');
  if (checkoutTarget === undefined && (fullSha.test(ref) || shortSha.test(ref))) {
    // A commit no branch or tag tip names (or an abbreviated id, which the protocol cannot ask for): fetch everything, look it up.
    log('commit not advertised by the remote; fetching full history');
    const full = await git(
      ['fetch', '--progress', 'origin', '+refs/heads/*:refs/remotes/origin/*', '+refs/tags/*:refs/tags/*'],
      'fetch',
    );
    if (full.exitCode !== 0)
      throw new SlipwayError('SOURCE_UNREACHABLE', `cannot fetch ${shownUrl}: ${stderrTail(full)}`, {
        details: { url: shownUrl },
      });
    const lookup = await git(
      ['rev-parse', '--verify', '--quiet', '--end-of-options', `${ref}^{commit}`],
      'rev-parse',
      true,
    );
    if (lookup.exitCode !== 0) {
      const isAmbiguous = lookup.tail.some((line) => /ambiguous/i.test(line));
      throw refNotFound(ref, isAmbiguous ? ' (the abbreviated commit id is ambiguous)' : '');
    }
    checkoutTarget = lookup.stdout.trim();
  }
  if (checkoutTarget === undefined) throw refNotFound(ref);

  await mustSucceed(
    ['-c', 'advice.detachedHead=false', 'checkout', '-q', '--detach', checkoutTarget, '--'],
    'checkout',
  );
  const head = await mustSucceed(['rev-parse', 'HEAD'], 'rev-parse');
  const commit = head.stdout.trim();
  await rm(join(destDir, '.git'), { recursive: true, force: true });
  log(`checked out ${commit}`);
  return { kind: 'git', url: shownUrl, ...(shownRef === undefined ? {} : { ref: shownRef }), commit };
}
