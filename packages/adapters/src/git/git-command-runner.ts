/**
 * One git command of the mirrors, run in its own process group under a deadline (remote commands also stall out when
 * nothing comes for `stallTimeoutMs`), its lines masked (credentials, and the repository's URL shown as its label),
 * and its failure a coded error: `SOURCE_UNREACHABLE` (with a hint when the host refused the credentials) or
 * `INTERRUPTED`.
 */
import { SlipwayError } from '@slipway/contract';
import type { GitRemote } from '@slipway/core';
import { runProcessGroup, type ProcessGroupResult } from '../builder/run-process-group.js';
import { baseGitEnv, labelRedactor, refusalHint, type GitMirrorAccess } from './git-mirror-access.js';

/** How a repository is named in messages: its label, never its URL. */
export const shown = (remote: GitRemote): string => remote.label ?? remote.url;

export interface GitCall {
  args: string[];
  what: string;
  access?: GitMirrorAccess;
  env?: Record<string, string>;
  isRemote: boolean;
  isStdoutCaptured?: boolean;
  log?: ((line: string) => void) | undefined;
  signal?: AbortSignal | undefined;
  /** The repository the command reaches: its url is shown as its label everywhere. */
  remote?: GitRemote;
}

export function createGitCommandRunner(config: {
  rootDir: string;
  remoteTimeoutMs: number;
  stallTimeoutMs: number;
  localTimeoutMs: number;
}): (call: GitCall) => Promise<ProcessGroupResult> {
  return async (call: GitCall): Promise<ProcessGroupResult> => {
    const secretless = call.access?.redact ?? ((text: string) => text);
    const remote = call.remote;
    const redact = labelRedactor(remote, secretless);
    const shownUrl = remote === undefined ? undefined : shown(remote);
    const stall = new AbortController();
    let stallTimer: NodeJS.Timeout | undefined;
    const arm = () => {
      clearTimeout(stallTimer);
      if (call.isRemote) stallTimer = setTimeout(() => stall.abort(), config.stallTimeoutMs);
    };
    arm();
    const result = await runProcessGroup({
      file: 'git',
      args: call.args,
      cwd: config.rootDir,
      env: { ...baseGitEnv(process.env), ...call.access?.env, ...call.env },
      timeoutMs: call.isRemote ? config.remoteTimeoutMs : config.localTimeoutMs,
      signal: call.signal === undefined ? stall.signal : AbortSignal.any([call.signal, stall.signal]),
      isStdoutCaptured: call.isStdoutCaptured ?? false,
      onLine: (line, { isProgress }) => {
        arm();
        if (!isProgress && line.trim() !== '') call.log?.(redact(line));
      },
    });
    clearTimeout(stallTimer);
    const where = shownUrl === undefined ? '' : ` of ${shownUrl}`;
    if (result.outcome === 'exited') {
      if (result.exitCode !== 0 && call.isRemote) {
        const tail = redact(result.tail.slice(-3).join(' / '));
        const hint = refusalHint(remote, result.tail.join('\n'));
        throw new SlipwayError('SOURCE_UNREACHABLE', `git ${call.what}${where} failed: ${tail}${hint}`, {
          details: { url: shownUrl ?? '', ...(hint === '' ? {} : { reason: 'credentials-refused' }) },
        });
      }
      return result;
    }
    if (result.outcome === 'aborted' && call.signal?.aborted === true)
      throw new SlipwayError('INTERRUPTED', `git ${call.what}${where} was cancelled`);
    const why =
      result.outcome === 'spawn-failed'
        ? `could not run: ${result.spawnError ?? 'unknown error'}`
        : result.outcome === 'timed-out'
          ? 'timed out'
          : `stalled: nothing came for ${config.stallTimeoutMs} ms`;
    throw new SlipwayError('SOURCE_UNREACHABLE', `git ${call.what}${where} ${why}`, {
      details: { url: shownUrl ?? '' },
    });
  };
}
