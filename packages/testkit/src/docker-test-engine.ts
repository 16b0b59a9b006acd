/**
 * What suites that need a Docker Engine share: whether one answers (a suite skips, saying why, when none does — or
 * fails, under `SLIPWAY_REQUIRE_INTEGRATION`), the local images they run (no registry is assumed: a `FROM scratch`
 * busybox and a Node image imported from this machine's own `node`), and clean-up of what a run left, by label.
 */
import { execFileSync, spawnSync } from 'node:child_process';
import {
  cpSync,
  mkdirSync,
  mkdtempSync,
  readFileSync,
  realpathSync,
  rmSync,
  symlinkSync,
  writeFileSync,
  chmodSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';

/** Images the Docker suites build on: both made on this machine, never pulled. */
export const dockerTestImages = {
  /** A static busybox on `scratch`: `sh`, `httpd`, `nc`, `wget` (by IP only). */
  busybox: 'local/busybox:latest',
  /** This machine's `node` binary and the libraries it links, with busybox as `/bin/sh`. */
  node: 'local/node-runtime:latest',
} as const;

export interface DockerTestEngine {
  readonly isAvailable: boolean;
  /** Why the suites skip, when the engine is not available. */
  readonly reason: string;
}

let probed: DockerTestEngine | undefined;

/**
 * Probes the engine once per test process and makes sure the test images exist. Throws when no engine answers and
 * `SLIPWAY_REQUIRE_INTEGRATION` is set, so CI fails instead of skipping.
 */
export function dockerTestEngine(): DockerTestEngine {
  probed ??= probe();
  if (!probed.isAvailable && process.env['SLIPWAY_REQUIRE_INTEGRATION']) {
    throw new Error(`SLIPWAY_REQUIRE_INTEGRATION is set but ${probed.reason}`);
  }
  return probed;
}

function probe(): DockerTestEngine {
  const info = spawnSync('docker', ['info', '--format', '{{.ServerVersion}}'], { encoding: 'utf8', timeout: 20_000 });
  if (info.error !== undefined || info.status !== 0) {
    const why = info.error?.message ?? info.stderr.trim().split('\n').at(-1) ?? 'docker info failed';
    return { isAvailable: false, reason: `no Docker Engine answers (${why})` };
  }
  try {
    ensureBusyboxImage();
    ensureNodeImage();
  } catch (error) {
    return { isAvailable: false, reason: `the local test images cannot be made: ${(error as Error).message}` };
  }
  return { isAvailable: true, reason: '' };
}

function hasImage(reference: string): boolean {
  return spawnSync('docker', ['image', 'inspect', reference], { stdio: 'ignore' }).status === 0;
}

/** A statically linked busybox of this machine (Debian's busybox-static), or undefined. */
function staticBusybox(): string | undefined {
  for (const candidate of ['/bin/busybox', '/usr/bin/busybox']) {
    try {
      const path = realpathSync(candidate);
      const ldd = spawnSync('ldd', [path], { encoding: 'utf8' });
      if (`${ldd.stdout}${ldd.stderr}`.includes('not a dynamic executable')) return path;
    } catch {
      // not there
    }
  }
  return undefined;
}

function ensureBusyboxImage(): void {
  if (hasImage(dockerTestImages.busybox)) return;
  const busybox = staticBusybox();
  if (busybox === undefined) throw new Error('no statically linked busybox here (apt-get install busybox-static)');
  const dir = mkdtempSync(join(tmpdir(), 'slipway-busybox-image-'));
  try {
    cpSync(busybox, join(dir, 'busybox'));
    writeFileSync(
      join(dir, 'Dockerfile'),
      'FROM scratch\nCOPY busybox /bin/busybox\nRUN ["/bin/busybox", "--install", "-s", "/bin"]\nENV PATH=/bin\nCMD ["/bin/sh"]\n',
    );
    execFileSync('docker', ['build', '-q', '-t', dockerTestImages.busybox, dir], {
      env: { ...process.env, DOCKER_BUILDKIT: '0' },
      stdio: ['ignore', 'ignore', 'pipe'],
    });
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

function ensureNodeImage(): void {
  if (hasImage(dockerTestImages.node)) return;
  const busybox = staticBusybox();
  if (busybox === undefined) throw new Error('no statically linked busybox here (apt-get install busybox-static)');
  const nodeBinary = realpathSync(process.execPath);
  const root = mkdtempSync(join(tmpdir(), 'slipway-node-image-'));
  try {
    for (const dir of ['usr/local/bin', 'bin', 'etc', 'app', 'tmp']) mkdirSync(join(root, dir), { recursive: true });
    chmodSync(join(root, 'tmp'), 0o1777);
    cpSync(nodeBinary, join(root, 'usr/local/bin/node'));
    const ldd = execFileSync('ldd', [nodeBinary], { encoding: 'utf8' });
    for (const match of ldd.matchAll(/(?:=>\s*)?(\/\S+)\s+\(0x/g)) {
      const library = match[1] as string;
      mkdirSync(join(root, dirname(library)), { recursive: true });
      writeFileSync(join(root, library), readFileSync(library));
    }
    cpSync(busybox, join(root, 'bin/busybox'));
    for (const applet of ['sh', 'ls', 'cat', 'env', 'wget', 'sleep', 'kill'])
      symlinkSync('busybox', join(root, 'bin', applet));
    writeFileSync(
      join(root, 'etc/passwd'),
      'root:x:0:0:root:/root:/bin/sh\nnobody:x:65534:65534:nobody:/nonexistent:/bin/false\n',
    );
    writeFileSync(join(root, 'etc/group'), 'root:x:0:\nnogroup:x:65534:\n');
    const tar = spawnSync('tar', ['-C', root, '-c', '.'], { maxBuffer: 1024 * 1024 * 1024 });
    if (tar.status !== 0) throw new Error(`tar failed: ${tar.stderr.toString()}`);
    execFileSync(
      'docker',
      [
        'import',
        '-c',
        'ENV PATH=/usr/local/bin:/bin',
        '-c',
        'WORKDIR /app',
        '-c',
        'CMD ["node"]',
        '-',
        dockerTestImages.node,
      ],
      { input: tar.stdout, stdio: ['pipe', 'ignore', 'pipe'], maxBuffer: 1024 * 1024 * 1024 },
    );
  } finally {
    rmSync(root, { recursive: true, force: true });
  }
}

/** Removes services, containers, secrets, networks and images carrying the label (`key` or `key=value`), in that order. */
export function removeDockerObjectsLabelled(label: string): void {
  const ids = (args: string[]): string[] => {
    const out = spawnSync('docker', args, { encoding: 'utf8' });
    return out.status === 0 ? out.stdout.split('\n').filter((line) => line.trim() !== '') : [];
  };
  const filter = ['--filter', `label=${label}`];
  const services = ids(['service', 'ls', '-q', ...filter]);
  if (services.length > 0) spawnSync('docker', ['service', 'rm', ...services], { stdio: 'ignore' });
  const containers = ids(['ps', '-aq', ...filter]);
  if (containers.length > 0) spawnSync('docker', ['rm', '-f', '-v', ...containers], { stdio: 'ignore' });
  const secrets = ids(['secret', 'ls', '-q', ...filter]);
  if (secrets.length > 0) spawnSync('docker', ['secret', 'rm', ...secrets], { stdio: 'ignore' });
  const networks = ids(['network', 'ls', '-q', ...filter]);
  if (networks.length > 0) spawnSync('docker', ['network', 'rm', ...networks], { stdio: 'ignore' });
  const images = ids(['image', 'ls', '-q', ...filter]);
  if (images.length > 0) spawnSync('docker', ['image', 'rm', '-f', ...new Set(images)], { stdio: 'ignore' });
}

/** Names of the containers and networks (or with `swarm`, services too) that carry the label: what a test expects empty. */
export function listDockerObjectsLabelled(label: string): {
  containers: string[];
  networks: string[];
  services: string[];
} {
  const names = (args: string[]): string[] => {
    const out = spawnSync('docker', args, { encoding: 'utf8' });
    return out.status === 0 ? out.stdout.split('\n').filter((line) => line.trim() !== '') : [];
  };
  const filter = ['--filter', `label=${label}`];
  return {
    containers: names(['ps', '-a', '--format', '{{.Names}}', ...filter]),
    networks: names(['network', 'ls', '--format', '{{.Name}}', ...filter]),
    services: names(['service', 'ls', '--format', '{{.Name}}', ...filter]),
  };
}

let swarmProbed: DockerTestEngine | undefined;

/**
 * Whether the Swarm suites can run: a Docker Engine that is a swarm manager. An engine that is not in a swarm is made a
 * single-node one (`docker swarm init` on loopback) only under `SLIPWAY_REQUIRE_INTEGRATION` (CI) or
 * `SLIPWAY_TEST_SWARM_INIT=1`, since it changes the machine's engine for good; otherwise the suites skip, saying so.
 * Throws under `SLIPWAY_REQUIRE_INTEGRATION` when the swarm cannot be had.
 */
export function swarmTestEngine(): DockerTestEngine {
  swarmProbed ??= probeSwarm();
  if (!swarmProbed.isAvailable && process.env['SLIPWAY_REQUIRE_INTEGRATION']) {
    throw new Error(`SLIPWAY_REQUIRE_INTEGRATION is set but ${swarmProbed.reason}`);
  }
  return swarmProbed;
}

function probeSwarm(): DockerTestEngine {
  const engine = dockerTestEngine();
  if (!engine.isAvailable) return engine;
  const state = spawnSync('docker', ['info', '--format', '{{.Swarm.LocalNodeState}} {{.Swarm.ControlAvailable}}'], {
    encoding: 'utf8',
  });
  if (state.stdout.trim() === 'active true') return { isAvailable: true, reason: '' };
  if (state.stdout.trim().startsWith('active')) {
    return { isAvailable: false, reason: 'the engine is in a swarm but not a manager of it' };
  }
  if (!process.env['SLIPWAY_REQUIRE_INTEGRATION'] && process.env['SLIPWAY_TEST_SWARM_INIT'] !== '1') {
    return {
      isAvailable: false,
      reason: 'the engine is not a swarm manager (SLIPWAY_TEST_SWARM_INIT=1 lets the tests run docker swarm init)',
    };
  }
  // Left a swarm afterwards: leaving strands `docker_gwbridge`, and other suites may use it.
  const init = spawnSync('docker', ['swarm', 'init', '--advertise-addr', '127.0.0.1'], { encoding: 'utf8' });
  if (init.status !== 0 && !init.stderr.includes('already part of a swarm')) {
    return { isAvailable: false, reason: `docker swarm init failed: ${init.stderr.trim()}` };
  }
  return { isAvailable: true, reason: '' };
}
