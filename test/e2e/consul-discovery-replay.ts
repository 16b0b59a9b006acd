/**
 * The requests Prometheus' Consul service discovery makes (Go `api` client: the token in `X-Consul-Token`, `?dc=` of
 * the agent's datacenter, `?stale`, blocking queries with `wait=120000ms`), replayed against the catalog, with what it
 * derives from the answers (the target `<Service.Address or Node.Address>:<Service.Port>` and its `__meta_consul_*`
 * labels) written as a file_sd target file. For a Prometheus built without Consul discovery (Debian's package is): it
 * then scrapes exactly what its Consul discovery would have found.
 */
import { rename, writeFile } from 'node:fs/promises';

interface HealthEntry {
  Node: { Node: string; Address: string };
  Service: { ID: string; Service: string; Address: string; Port: number; Tags: string[]; Meta: Record<string, string> };
  Checks: { Status: string }[];
}

export interface ConsulDiscoveryReplay {
  /** Answers the discovery read so far (each a blocking query answered). */
  readonly rounds: number;
  /** Why the discovery stopped, when the catalog answered what Prometheus would refuse. */
  readonly error: unknown;
  stop(): Promise<void>;
}

/** Prometheus' aggregate of an entry's checks (`__meta_consul_health`): the worst status wins. */
function aggregateHealth(entry: HealthEntry): string {
  const statuses = entry.Checks.map((c) => c.Status);
  if (statuses.includes('critical')) return 'critical';
  if (statuses.includes('warning')) return 'warning';
  return 'passing';
}

/** Starts the discovery of `service` into `file`; refuses at once when the catalog answers what Prometheus refuses. */
export async function startConsulDiscoveryReplay(options: {
  catalogUrl: string;
  token: string;
  service: string;
  file: string;
}): Promise<ConsulDiscoveryReplay> {
  const controller = new AbortController();
  const get = async (path: string) => {
    const res = await fetch(`${options.catalogUrl}${path}`, {
      headers: { 'x-consul-token': options.token },
      signal: controller.signal,
    });
    if (res.status !== 200) throw new Error(`${path}: ${res.status} ${await res.text()}`);
    const index = Number(res.headers.get('x-consul-index'));
    if (path.startsWith('/v1/agent/') === false && !(index > 0)) throw new Error(`${path}: no X-Consul-Index`);
    return { index, body: await res.json() };
  };
  const self = (await get('/v1/agent/self')).body as { Config: { Datacenter: string } };
  const dc = self.Config.Datacenter;
  const services = (await get(`/v1/catalog/services?dc=${dc}&stale=`)).body as Record<string, string[]>;
  if (!(options.service in services)) throw new Error(`the catalog does not list ${options.service}`);

  const state: { rounds: number; error: unknown } = { rounds: 0, error: undefined };
  const write = async (entries: HealthEntry[]) => {
    const groups = entries.map((e) => ({
      targets: [`${e.Service.Address || e.Node.Address}:${e.Service.Port}`],
      labels: {
        __meta_consul_dc: dc,
        __meta_consul_node: e.Node.Node,
        __meta_consul_service: e.Service.Service,
        __meta_consul_service_id: e.Service.ID,
        __meta_consul_health: aggregateHealth(e),
        __meta_consul_tags: `,${e.Service.Tags.join(',')},`,
        ...Object.fromEntries(
          Object.entries(e.Service.Meta).map(([k, v]) => [`__meta_consul_service_metadata_${k}`, v]),
        ),
      },
    }));
    await writeFile(`${options.file}.tmp`, JSON.stringify(groups));
    await rename(`${options.file}.tmp`, options.file);
  };
  const loop = (async () => {
    let index = 0;
    while (!controller.signal.aborted) {
      const answer = await get(
        `/v1/health/service/${encodeURIComponent(options.service)}?dc=${dc}&stale=&index=${index}&wait=120000ms`,
      );
      // A lower index resets the watch, as the Go client's users do.
      index = answer.index < index ? 0 : answer.index;
      await write(answer.body as HealthEntry[]);
      state.rounds += 1;
    }
  })().catch((error: unknown) => {
    if (!controller.signal.aborted) state.error = error;
  });
  return {
    get rounds() {
      return state.rounds;
    },
    get error() {
      return state.error;
    },
    async stop() {
      controller.abort();
      await loop;
    },
  };
}
