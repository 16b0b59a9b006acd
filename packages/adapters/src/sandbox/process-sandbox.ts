/**
 * Wraps a shell command in a bubblewrap sandbox run as a scope's own unprivileged user: it sees the system's runtimes
 * (read-only), its own work dir and a writable scratch dir at `/tmp`, its own processes only, and nothing of the data
 * dir, of other apps or of their processes. The network stays the host's, so the edge reaches the instance's port.
 */
import { spawn, spawnSync } from 'node:child_process';
import { existsSync, lstatSync, readlinkSync, realpathSync, statSync } from 'node:fs';
import { chown, lstat, mkdir } from 'node:fs/promises';
import { dirname, resolve, sep } from 'node:path';
import { SlipwayError } from '@slipway/contract';
import type { SandboxIdentity, SandboxUsers } from './sandbox-users.js';

export interface ProcessSandboxOptions {
  users: SandboxUsers;
  /** Host paths every sandbox sees read-only beside the system's (Slipway's static server, a runtime outside /usr). */
  readOnlyPaths?: readonly string[];
  /** Paths no sandbox sees, even under a system path that is visible (the data dir). */
  hiddenPaths?: readonly string[];
  bwrapPath?: string;
  setprivPath?: string;
}

/** One command to run sandboxed. */
export interface SandboxedCommand {
  identity: SandboxIdentity;
  /** Shell command line, run with `/bin/sh -c` as the scope's user. */
  command: string;
  /** The directory it runs in, visible at its own path: read-only for an instance, writable for a build. */
  workDir: string;
  isWorkDirWritable: boolean;
  /** Host directory mounted writable at `/tmp` (also `HOME` and `TMPDIR`): the only place an instance may write. */
  scratchDir: string;
}

export interface ProcessSandbox {
  /** The scope's user (a project's), allocated on first use. */
  identityOf(scope: string): Promise<SandboxIdentity>;
  /** Makes `dir` and all it holds owned by the identity, unless its top already is. */
  ensureOwned(dir: string, identity: SandboxIdentity): Promise<void>;
  /** Creates the scratch dir, private to the identity. */
  prepareScratch(dir: string, identity: SandboxIdentity): Promise<void>;
  /**
   * The program and arguments that run the command sandboxed. The program (bwrap) leads the process group of what it
   * starts and exits with the command's exit code; the command's processes are members of its group.
   */
  argv(run: SandboxedCommand): { file: string; args: string[] };
  /** The environment inside: `HOME` and `TMPDIR` point at the scratch dir (the host's are not visible). */
  env(env: Readonly<Record<string, string>>): Record<string, string>;
  /**
   * Whether a host path (a program a build is to run) is seen inside at the same path: under a system path or a
   * read-only path, and not hidden. Symlinks are judged by where they lead.
   */
  shows(path: string): boolean;
}

const scratchMount = '/tmp';
/** Seen read-only as they are; symlinked top-level dirs (merged /usr) are recreated as the same symlinks. */
const systemPaths = ['/usr', '/bin', '/sbin', '/lib', '/lib32', '/lib64', '/libx32', '/etc', '/opt'];
const ownershipTimeoutMs = 10 * 60_000;

export function createProcessSandbox(options: ProcessSandboxOptions): ProcessSandbox {
  const bwrapPath = options.bwrapPath ?? '/usr/bin/bwrap';
  const setprivPath = options.setprivPath ?? '/usr/bin/setpriv';
  const systemArgs = systemMountArgs();
  const visibleRoots = systemPaths.filter((path) => existsSync(path));
  const hiddenArgs = (options.hiddenPaths ?? [])
    .map((path) => resolve(path))
    .filter((path) => visibleRoots.some((root) => isInside(path, root)) && existsSync(path))
    // A directory is covered by an empty tmpfs, a file (a key) by /dev/null.
    .flatMap((path) => (statSync(path).isDirectory() ? ['--tmpfs', path] : ['--ro-bind', '/dev/null', path]));
  const extraArgs = (options.readOnlyPaths ?? [])
    .map((path) => resolve(path))
    .filter((path) => !visibleRoots.some((root) => isInside(path, root)))
    .flatMap((path) => [...ancestorArgs(path), '--ro-bind', path, path]);

  const shownRoots = [...visibleRoots, ...(options.readOnlyPaths ?? []).map((path) => resolve(path))];
  const hiddenRoots = (options.hiddenPaths ?? []).map((path) => resolve(path));

  return {
    identityOf: (scope) => options.users.ensure(scope),

    shows(path) {
      let real: string;
      try {
        real = realpathSync(path);
      } catch {
        return false;
      }
      return (
        [path, real].every((candidate) => shownRoots.some((root) => isInside(candidate, root))) &&
        !hiddenRoots.some((root) => isInside(real, root))
      );
    },

    async ensureOwned(dir, identity) {
      const top = await lstat(dir);
      if (top.uid === identity.uid && top.gid === identity.gid) return;
      await runChown(dir, identity);
    },

    async prepareScratch(dir, identity) {
      await mkdir(dir, { recursive: true, mode: 0o700 });
      await chown(dir, identity.uid, identity.gid);
    },

    argv(run) {
      const workDir = resolve(run.workDir);
      const bwrapArgs = [
        '--unshare-pid',
        '--unshare-ipc',
        '--unshare-uts',
        '--unshare-cgroup-try',
        ...systemArgs,
        '--proc',
        '/proc',
        '--dev',
        '/dev',
        ...hiddenArgs,
        '--bind',
        run.scratchDir,
        scratchMount,
        ...ancestorArgs(workDir),
        run.isWorkDirWritable ? '--bind' : '--ro-bind',
        workDir,
        workDir,
        ...extraArgs,
        '--chdir',
        workDir,
        '--',
        setprivPath,
        `--reuid=${run.identity.uid}`,
        `--regid=${run.identity.gid}`,
        '--clear-groups',
        // No setuid program (su, mount …) can raise it again, and no capability is left to raise.
        '--no-new-privs',
        '--bounding-set=-all',
        '--inh-caps=-all',
        '--',
        '/bin/sh',
        '-c',
        run.command,
      ];
      return { file: bwrapPath, args: bwrapArgs };
    },

    env(env) {
      return { ...env, HOME: scratchMount, TMPDIR: scratchMount };
    },
  };
}

/** Whether this machine can sandbox: root, bubblewrap and setpriv present, and namespaces allowed. */
export function probeProcessSandbox(
  paths: { bwrapPath?: string; setprivPath?: string } = {},
): { isAvailable: true } | { isAvailable: false; reason: string } {
  const bwrapPath = paths.bwrapPath ?? '/usr/bin/bwrap';
  const setprivPath = paths.setprivPath ?? '/usr/bin/setpriv';
  if (process.getuid?.() !== 0) {
    return { isAvailable: false, reason: 'slipwayd does not run as root, so it cannot run instances as other users' };
  }
  for (const [name, path] of [
    ['bubblewrap', bwrapPath],
    ['setpriv', setprivPath],
  ] as const) {
    if (!existsSync(path)) return { isAvailable: false, reason: `${name} is not installed (${path})` };
  }
  const probe = spawnSync(
    bwrapPath,
    ['--unshare-pid', ...systemMountArgs(), '--proc', '/proc', '--dev', '/dev', '--', '/bin/true'],
    { timeout: 10_000, encoding: 'utf8' },
  );
  if (probe.status !== 0) {
    const said = (probe.stderr || probe.error?.message || `exit ${String(probe.status)}`).trim();
    return { isAvailable: false, reason: `bubblewrap cannot create namespaces here: ${said}` };
  }
  return { isAvailable: true };
}

function systemMountArgs(): string[] {
  const args: string[] = [];
  for (const path of systemPaths) {
    let stat;
    try {
      stat = lstatSync(path);
    } catch {
      continue;
    }
    if (stat.isSymbolicLink()) args.push('--symlink', readlinkSync(path), path);
    else if (stat.isDirectory()) args.push('--ro-bind', path, path);
  }
  // A resolv.conf that points into /run (systemd-resolved) must resolve inside too.
  if (existsSync('/run/systemd/resolve')) args.push('--ro-bind', '/run/systemd/resolve', '/run/systemd/resolve');
  return args;
}

/**
 * bwrap creates missing parents of a mount point private to root (0700); the sandbox's user must be able to pass
 * them, so they are created 0755 first (they are empty: only the mount at the end is visible).
 */
function ancestorArgs(path: string): string[] {
  const ancestors: string[] = [];
  for (let parent = dirname(path); parent !== '/' && parent !== scratchMount; parent = dirname(parent)) {
    ancestors.unshift(parent);
  }
  return ancestors.flatMap((ancestor) => ['--perms', '0755', '--dir', ancestor]);
}

function isInside(path: string, root: string): boolean {
  return path === root || path.startsWith(root + sep);
}

/** `chown -R` without following symlinks (a symlink in a source must not hand its target to the scope). */
function runChown(dir: string, identity: SandboxIdentity): Promise<void> {
  return new Promise((resolvePromise, reject) => {
    const child = spawn('chown', ['-R', '-P', '-h', `${identity.uid}:${identity.gid}`, '--', dir], {
      stdio: ['ignore', 'ignore', 'pipe'],
      timeout: ownershipTimeoutMs,
    });
    let stderr = '';
    child.stderr.setEncoding('utf8');
    child.stderr.on('data', (chunk: string) => {
      if (stderr.length < 4096) stderr += chunk;
    });
    child.once('error', reject);
    child.once('close', (code) => {
      if (code === 0) resolvePromise();
      else
        reject(
          new SlipwayError('START_FAILED', `could not give ${dir} to the sandbox user: ${stderr.trim()}`, {
            details: { dir },
          }),
        );
    });
  });
}
