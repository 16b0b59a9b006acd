/**
 * Test support: a real git server over SSH on loopback — Debian's `sshd` in the foreground with its own host key and
 * an `authorized_keys` file the test writes (a deploy key's public half) — serving repositories by absolute path as
 * the user running it.
 */
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdir, writeFile } from 'node:fs/promises';
import { createServer } from 'node:net';
import { join } from 'node:path';
import { userInfo } from 'node:os';

export const sshdPath = '/usr/sbin/sshd';

/** Whether this machine can run the server (sshd and ssh-keygen installed, running as root). */
export function sshGitServerAvailability(): { isAvailable: boolean; reason: string } {
  const hasTools = existsSync(sshdPath) && spawnSync('ssh-keygen', ['-?']).error === undefined;
  const isRoot = process.getuid?.() === 0;
  return {
    isAvailable: hasTools && isRoot,
    reason: hasTools
      ? 'sshd needs root to switch users'
      : 'openssh-server is not installed (apt-get install openssh-server)',
  };
}

export interface SshGitTestServer {
  /** `ssh://<user>@127.0.0.1:<port>` — append a repository's absolute path. */
  readonly baseUrl: string;
  /** Replaces the authorized keys (public key lines). */
  authorize(publicKeys: readonly string[]): Promise<void>;
  /** Everything sshd logged (`-e`), for assertions that a key was refused or accepted. */
  readonly log: string[];
  close(): Promise<void>;
}

async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const address = server.address();
  await new Promise((resolve) => server.close(resolve));
  if (address === null || typeof address === 'string') throw new Error('no port');
  return address.port;
}

/** Starts sshd with its files under `dir` (created); resolves once it accepts connections. */
export async function startSshGitTestServer(dir: string): Promise<SshGitTestServer> {
  await mkdir(dir, { recursive: true, mode: 0o700 });
  const hostKey = join(dir, 'host_ed25519');
  const authorizedKeys = join(dir, 'authorized_keys');
  const config = join(dir, 'sshd_config');
  if (!existsSync(hostKey)) spawnSync('ssh-keygen', ['-q', '-t', 'ed25519', '-N', '', '-f', hostKey]);
  await writeFile(authorizedKeys, '', { mode: 0o600 });
  await writeFile(config, '', { mode: 0o600 });
  await mkdir('/run/sshd', { recursive: true });
  const port = await freePort();
  const log: string[] = [];
  const child: ChildProcess = spawn(
    sshdPath,
    [
      '-D',
      '-e',
      '-f',
      config,
      '-p',
      String(port),
      '-h',
      hostKey,
      '-o',
      'ListenAddress=127.0.0.1',
      '-o',
      `AuthorizedKeysFile=${authorizedKeys}`,
      '-o',
      `PidFile=${join(dir, 'sshd.pid')}`,
      '-o',
      'StrictModes=no',
      '-o',
      'UsePAM=no',
      '-o',
      'PasswordAuthentication=no',
      '-o',
      'KbdInteractiveAuthentication=no',
      '-o',
      'PermitRootLogin=prohibit-password',
      '-o',
      'LogLevel=VERBOSE',
    ],
    { stdio: ['ignore', 'ignore', 'pipe'] },
  );
  child.stderr?.setEncoding('utf8').on('data', (chunk: string) => log.push(...chunk.split('\n').filter(Boolean)));
  // Listening is announced on stderr; wait for it (bounded).
  const deadline = Date.now() + 10_000;
  while (!log.some((line) => line.includes('Server listening'))) {
    if (child.exitCode !== null || Date.now() > deadline) {
      child.kill('SIGKILL');
      throw new Error(`sshd did not start: ${log.slice(-5).join(' / ')}`);
    }
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
  return {
    baseUrl: `ssh://${userInfo().username}@127.0.0.1:${port}`,
    log,
    async authorize(publicKeys) {
      await writeFile(authorizedKeys, publicKeys.map((key) => `${key.trim()}\n`).join(''), { mode: 0o600 });
    },
    async close() {
      if (child.exitCode !== null) return;
      const exited = new Promise((resolve) => child.once('exit', resolve));
      child.kill('SIGTERM');
      await exited;
    },
  };
}
