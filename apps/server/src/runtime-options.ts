/** The options of where and how instances run: the container runtimes and process isolation. */
import { z } from 'zod';
import { option, text } from './config-option.js';

export const runtimeOptions = {
  /**
   * Container runtimes. `docker`: `auto` runs containers when a Docker Engine answers at start, `on` always (its
   * calls fail with RUNTIME_UNAVAILABLE while the engine is down), `off` never. `swarm`: `auto` when that engine is
   * a swarm manager at start. `host`: the engine's address (default DOCKER_HOST, else the local socket).
   */
  containers: option({
    schema: z
      .object({
        docker: z.enum(['auto', 'on', 'off']),
        swarm: z.enum(['auto', 'on', 'off']),
        host: z.string().min(1).max(2048).optional(),
      })
      .strict(),
    default: { docker: 'auto', swarm: 'auto' },
    inputs: [
      {
        flag: 'docker',
        env: 'SLIPWAY_DOCKER',
        argument: 'MODE',
        help: 'auto|on|off: run containers on the Docker Engine (default auto: when one answers at start)',
      },
      {
        flag: 'swarm',
        env: 'SLIPWAY_SWARM',
        argument: 'MODE',
        help: 'auto|on|off: run Swarm services (default auto: when the engine is a swarm manager at start)',
      },
      {
        flag: 'docker-host',
        env: 'SLIPWAY_DOCKER_HOST',
        argument: 'URL',
        help: 'the engine: unix:///path or tcp://host:port, TLS from DOCKER_CERT_PATH (default DOCKER_HOST, else unix:///var/run/docker.sock)',
      },
    ],
    read: (given) => {
      const [docker, swarm, host] = [text(given, 'docker'), text(given, 'swarm'), text(given, 'docker-host')];
      const out = {
        ...(docker === undefined ? {} : { docker }),
        ...(swarm === undefined ? {} : { swarm }),
        ...(host === undefined ? {} : { host }),
      };
      return Object.keys(out).length === 0 ? undefined : out;
    },
  }),
  /**
   * How process instances and builds are isolated: `sandbox` (each project as its own user in bubblewrap; the start
   * fails when impossible), `none` (as slipwayd's own user), `auto` (sandbox when root with bubblewrap, else none).
   */
  isolation: option({
    schema: z.enum(['auto', 'sandbox', 'none']),
    default: 'auto',
    inputs: [
      {
        flag: 'isolation',
        env: 'SLIPWAY_ISOLATION',
        argument: 'MODE',
        help: "auto|sandbox|none: run process instances and builds as their project's own user in a bubblewrap sandbox (default auto: when root with bubblewrap)",
      },
    ],
  }),
};
