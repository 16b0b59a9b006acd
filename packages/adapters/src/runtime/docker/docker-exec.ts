/** Runs a command in an instance container (its environment and working directory), bounded in time and output. */
import type Docker from 'dockerode';
import type { ExecResult } from '@slipway/core';
import { execNotStartedExitCode, execTimeoutExitCode } from '../run-exec.js';
import { DockerFrameDemuxer } from './docker-stream-frames.js';

export interface DockerExecRequest {
  command: string;
  timeoutMs: number;
  /** Output beyond this is dropped from the front: the end of the output usually says what went wrong. */
  maxOutputBytes?: number;
}

/**
 * The exec'd shell first prints its own pid (in the container's pid namespace), then replaces itself with the command:
 * the pid leads the command's process group, which a timeout kills with a second exec.
 */
const pidAnnouncingShell = 'echo "$$"; exec /bin/sh -c "$0"';
/** Bound on the exec inspect polls after the output ended, waiting for the engine to record the exit code. */
const exitCodePolls = 20;
const exitCodePollMs = 25;

export async function runDockerExec(container: Docker.Container, request: DockerExecRequest): Promise<ExecResult> {
  const output = createBoundedOutput(request.maxOutputBytes ?? 4096);
  let exec: Docker.Exec;
  try {
    exec = await container.exec({
      Cmd: ['/bin/sh', '-c', pidAnnouncingShell, request.command],
      AttachStdout: true,
      AttachStderr: true,
    });
  } catch (error) {
    // 409: the container is not running, so there is nothing to run the command in.
    if ((error as { statusCode?: unknown }).statusCode === 409) {
      return { exitCode: execNotStartedExitCode, output: 'exec could not start: the instance is not running' };
    }
    throw error;
  }
  const stream = await exec.start({ hijack: true, stdin: false });
  const demuxer = new DockerFrameDemuxer();
  let pidLine: string | undefined;
  let pidText = '';
  const ended = new Promise<void>((resolve) => {
    stream.on('data', (chunk: Buffer) => {
      for (const frame of demuxer.push(chunk)) {
        let payload = frame.payload;
        if (frame.stream === 'stdout' && pidLine === undefined) {
          const newline = payload.indexOf(0x0a);
          pidText += payload.subarray(0, newline === -1 ? payload.length : newline).toString('utf8');
          if (newline === -1) continue;
          pidLine = pidText;
          payload = payload.subarray(newline + 1);
        }
        output.add(payload);
      }
    });
    stream.once('end', resolve);
    stream.once('close', resolve);
    stream.once('error', () => resolve());
  });
  let timer: ReturnType<typeof setTimeout> | undefined;
  const timedOut = new Promise<'timeout'>((resolve) => {
    timer = setTimeout(() => resolve('timeout'), request.timeoutMs);
  });
  try {
    if ((await Promise.race([ended, timedOut])) === 'timeout') {
      stream.destroy();
      await killProcessGroup(container, pidLine);
      return { exitCode: execTimeoutExitCode, output: output.text() };
    }
  } finally {
    clearTimeout(timer);
  }
  return { exitCode: await exitCodeOf(exec), output: output.text() };
}

async function exitCodeOf(exec: Docker.Exec): Promise<number> {
  for (let poll = 0; poll < exitCodePolls; poll += 1) {
    const info = await exec.inspect();
    if (!info.Running && typeof info.ExitCode === 'number') return info.ExitCode;
    await new Promise((resolve) => setTimeout(resolve, exitCodePollMs));
  }
  // The output ended but the engine still counts it running: report a failure rather than wait on.
  return execNotStartedExitCode;
}

/** Best effort: a command that ignores the timeout would otherwise keep running in the instance. */
async function killProcessGroup(container: Docker.Container, pidLine: string | undefined): Promise<void> {
  const pid = Number(pidLine);
  if (!Number.isSafeInteger(pid) || pid <= 1) return;
  try {
    const killer = await container.exec({
      Cmd: ['/bin/sh', '-c', `kill -s KILL -${pid} 2>/dev/null || kill -s KILL ${pid}`],
      AttachStdout: false,
      AttachStderr: false,
    });
    await killer.start({ Detach: true });
  } catch {
    // The container stopped meanwhile, or has no kill: the command ends with it, or runs on.
  }
}

interface BoundedOutput {
  add(chunk: Buffer): void;
  text(): string;
}

function createBoundedOutput(maxBytes: number): BoundedOutput {
  const chunks: Buffer[] = [];
  let sizeBytes = 0;
  let isTruncated = false;
  return {
    add(chunk) {
      if (chunk.length === 0) return;
      chunks.push(chunk);
      sizeBytes += chunk.length;
      while (sizeBytes - (chunks[0]?.length ?? 0) >= maxBytes && chunks.length > 1) {
        sizeBytes -= chunks.shift()?.length ?? 0;
        isTruncated = true;
      }
    },
    text() {
      const joined = Buffer.concat(chunks);
      const kept = joined.length > maxBytes ? joined.subarray(joined.length - maxBytes) : joined;
      return (isTruncated || kept.length < joined.length ? '[output truncated]\n' : '') + kept.toString('utf8');
    },
  };
}
