/**
 * The container side of slipwayd: the Docker Engine it runs on (when one answers, or when told to), the Docker and
 * Swarm runtime drivers, the image store, and the namespace that marks this slipwayd's containers, services,
 * networks and images on a shared engine.
 */
import { randomBytes } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import {
  createDockerDriver,
  createDockerEngine,
  createDockerImageStore,
  createSwarmDriver,
  type DockerEngine,
} from '@slipway/adapters';
import { writeFileAtomic } from '@slipway/atomic-file';
import type { ImageStore, Logger, RuntimeDriver } from '@slipway/core';
import type { ResolvedConfig } from './config.js';

export interface ContainerRuntimes {
  /** `docker` and `swarm`, as configured and found. */
  drivers: Record<string, RuntimeDriver>;
  engine: DockerEngine | undefined;
  images: ImageStore | undefined;
  namespace: string;
}

/** How long `auto` waits for the engine to answer at start. */
const engineProbeMs = 1_500;

export async function startContainerRuntimes(config: ResolvedConfig, logger: Logger): Promise<ContainerRuntimes> {
  const namespace = await ensureNamespace(config.dataDir);
  const none: ContainerRuntimes = { drivers: {}, engine: undefined, images: undefined, namespace };
  const settings = config.containers;
  if (settings.docker === 'off') return none;
  const engine = createDockerEngine(settings.host === undefined ? {} : { host: settings.host });
  const info = await probe(engine);
  if (info === undefined && settings.docker === 'auto') {
    logger.info({ engine: engine.address }, 'no Docker Engine answers: the docker and swarm runtimes are off');
    return none;
  }
  const log = logger.child({ component: 'runtime' });
  const drivers: Record<string, RuntimeDriver> = {
    docker: createDockerDriver({ engine, namespace, portRange: config.instancePorts, logger: log }),
  };
  const isManager = info?.Swarm?.LocalNodeState === 'active' && info.Swarm.ControlAvailable === true;
  if (settings.swarm === 'on' || (settings.swarm === 'auto' && isManager)) {
    drivers['swarm'] = createSwarmDriver({ engine, namespace, portRange: config.instancePorts, logger: log });
  }
  logger.info({ engine: engine.address, runtimes: Object.keys(drivers), namespace }, 'container runtimes on');
  return { drivers, engine, images: createDockerImageStore({ engine, namespace }), namespace };
}

interface EngineInfo {
  Swarm?: { LocalNodeState?: string; ControlAvailable?: boolean };
}

/** The engine's `info`, or undefined when it does not answer in time (the request is then cut). */
async function probe(engine: DockerEngine): Promise<EngineInfo | undefined> {
  return engine
    .withSignal(AbortSignal.timeout(engineProbeMs), () => engine.client.info() as Promise<EngineInfo>)
    .catch(() => undefined);
}

/** This data dir's namespace: 12 random hex digits, made on first start and kept in `<dataDir>/runtime-namespace`. */
async function ensureNamespace(dataDir: string): Promise<string> {
  const file = join(dataDir, 'runtime-namespace');
  const existing = (await readFile(file, 'utf8').catch(() => '')).trim();
  if (/^[a-z0-9]{4,32}$/.test(existing)) return existing;
  const namespace = randomBytes(6).toString('hex');
  // Atomic: a crash must not leave an empty file that a next start would replace, orphaning the engine's objects.
  await writeFileAtomic(file, `${namespace}\n`, { mode: 0o600 });
  return namespace;
}
