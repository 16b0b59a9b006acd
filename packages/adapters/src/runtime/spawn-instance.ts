/** How the process driver launches an instance: its environment, its command (sandboxed or not), its log files. */
import { spawn, type ChildProcess } from 'node:child_process';
import { closeSync, openSync } from 'node:fs';
import { dirname } from 'node:path';
import { SlipwayError } from '@slipway/contract';
import type { InstanceSpec } from '@slipway/core';
import { execCommandLine } from './exec-command-line.js';
import { sandboxedRun, type InstanceSandbox } from './instance-sandbox.js';
import type { LogStream } from './instance-state-files.js';

export const instanceLogStreams: readonly LogStream[] = ['stdout', 'stderr'];

/** The instance writes straight into its log files (O_APPEND), so it keeps logging when the control plane is gone. */
export function spawnDetached(
  spec: InstanceSpec,
  env: Record<string, string>,
  logPathOf: (stream: LogStream) => string,
  sandbox?: InstanceSandbox,
): ChildProcess {
  const fds: number[] = [];
  try {
    for (const stream of instanceLogStreams) fds.push(openSync(logPathOf(stream), 'a', 0o600));
    const [stdoutFd, stderrFd] = fds;
    const command = execCommandLine(spec.command);
    const argv =
      sandbox === undefined
        ? { file: '/bin/sh', args: ['-c', command] }
        : sandbox.sandbox.argv({ ...sandboxedRun(sandbox, spec.workDir), command });
    // The process group carries stop signals to everything the command starts; `exec` keeps the pid the app's own
    // (sandboxed: the group leader is bwrap, spared by the stop signal so that it reports the app's own exit).
    return spawn(argv.file, argv.args, {
      cwd: spec.workDir,
      env,
      detached: true,
      stdio: ['ignore', stdoutFd, stderrFd],
    });
  } catch (error) {
    throw startFailed(spec.instanceId, 'could not spawn the instance', {}, error);
  } finally {
    // The child has its own copies of the descriptors now.
    for (const fd of fds) closeSync(fd);
  }
}

/** The system's directories, searched after the Node that runs Slipway (the one apps built by its builders expect). */
const systemPath = '/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin';
const defaultLang = 'C.UTF-8';

/**
 * An instance's environment: a clean base (PATH, HOME, LANG) with nothing else of the control plane's (no npm
 * internals, no `node_modules/.bin` of Slipway's own checkout, no `SLIPWAY_*`), the spec's env over it (a PATH the
 * release declares wins), and the allocated PORT last so it always wins — absent for a process that listens on none.
 * Sandboxed: HOME and TMPDIR are the scratch dir.
 */
export function instanceEnv(
  specEnv: Readonly<Record<string, string>>,
  port: number | null,
  sandbox?: InstanceSandbox,
): Record<string, string> {
  const base: Record<string, string> = { PATH: cleanPath(), LANG: defaultLang };
  if (process.env.HOME !== undefined) base.HOME = process.env.HOME;
  const portEnv: Record<string, string> = port === null ? {} : { PORT: String(port) };
  const env = { ...base, ...specEnv, ...portEnv };
  return sandbox === undefined ? env : { ...sandbox.sandbox.env(env), ...portEnv };
}

function cleanPath(): string {
  const dirs = [dirname(process.execPath), ...systemPath.split(':')];
  return [...new Set(dirs)].join(':');
}

export function startFailed(
  instanceId: string,
  message: string,
  details: Record<string, unknown> = {},
  cause?: unknown,
) {
  return new SlipwayError('START_FAILED', message, { details: { instanceId, ...details }, cause });
}
