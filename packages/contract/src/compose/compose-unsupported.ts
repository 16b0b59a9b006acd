/** Why each compose key Slipway does not map is left out: every one is listed with a reason, none dropped in silence. */

/** A compose key and what became of it. */
export interface ComposeNotice {
  path: string;
  reason: string;
}

const notMounted = 'not mounted — instances are disposable; keep state in a database or another service';
const dockerDefaults = "not applied — containers run with the engine's defaults";
const networkNote = "not applied — a stack's apps share one private network and the edge routes them by host name";

/** Service keys with a reason of their own; any other unmapped key gets the general one. */
const serviceReasons: Record<string, string> = {
  entrypoint:
    "not mapped — Slipway runs the command with /bin/sh -c in place of the image's entrypoint; put the whole command line in command",
  volumes: notMounted,
  tmpfs: notMounted,
  networks: networkNote,
  network_mode: networkNote,
  links: networkNote,
  external_links: networkNote,
  hostname: networkNote,
  domainname: networkNote,
  dns: networkNote,
  dns_search: networkNote,
  extra_hosts: networkNote,
  mac_address: networkNote,
  secrets: 'not mounted — set secrets with `slipway secrets set <app> NAME`; they reach the app as env',
  configs: 'not mounted — bake the file into the image or pass the values as env',
  restart: "not needed — Slipway's controller restarts crashed instances, with backoff",
  container_name: 'not used — Slipway names each instance container itself',
  labels: "not applied — container labels are Slipway's own",
  logging: 'not used — Slipway keeps instance logs (`slipway logs <app>`)',
  stop_signal: 'not used — instances are stopped with SIGTERM, then SIGKILL after stopGraceSeconds',
  extends: 'not followed — merge the base service into this one',
  develop: 'no Slipway counterpart — redeploy to update',
  cap_add: dockerDefaults,
  cap_drop: dockerDefaults,
  privileged: dockerDefaults,
  security_opt: dockerDefaults,
  devices: dockerDefaults,
  user: dockerDefaults,
  working_dir: dockerDefaults,
  init: 'not needed — instances always run with an init process',
  read_only: dockerDefaults,
  shm_size: dockerDefaults,
  ulimits: dockerDefaults,
  sysctls: dockerDefaults,
  ipc: dockerDefaults,
  pid: dockerDefaults,
  userns_mode: dockerDefaults,
  cgroup_parent: dockerDefaults,
  tty: dockerDefaults,
  stdin_open: dockerDefaults,
  platform: dockerDefaults,
  pull_policy: 'not used — an import never pulls; the engine must have the image',
  mem_reservation: 'not used — only limits (memory, cpus, pids) are enforced',
  memswap_limit: 'not used — the memory limit is RAM with no swap beyond it',
  cpu_shares: 'not used — only limits (memory, cpus, pids) are enforced',
  cpu_quota: 'not used — use cpus',
  cpu_period: 'not used — use cpus',
  cpuset: 'not used — only limits (memory, cpus, pids) are enforced',
  oom_kill_disable: dockerDefaults,
  oom_score_adj: dockerDefaults,
};

const topLevelReasons: Record<string, string> = {
  version: 'ignored — obsolete in the compose specification',
  volumes: 'not created — Slipway mounts no volumes',
  networks: "not created — a stack's apps share one private network",
  secrets: 'not created — set secrets with `slipway secrets set <app> NAME`',
  configs: 'not created — bake the files into the images or pass the values as env',
  include: 'not followed — import the included files as stacks of their own',
};

const nestedReason = 'ignored — not supported by Slipway';

/** The reason for an unmapped key of a service. */
export function serviceKeyReason(key: string): string {
  return serviceReasons[key] ?? nestedReason;
}

/** The reason for an unmapped top-level key. */
export function topLevelKeyReason(key: string): string {
  return topLevelReasons[key] ?? 'ignored — not a compose key Slipway knows';
}

/**
 * Lists the keys of `value` not in `mapped` under `path`, each with `reasonOf(key)`. Extension fields (`x-…`)
 * carry no meaning for compose either and are skipped.
 */
export function listUnmapped(
  value: object | undefined,
  mapped: readonly string[],
  path: string,
  notices: ComposeNotice[],
  reasonOf: (key: string) => string = () => nestedReason,
): void {
  if (value === undefined) return;
  for (const key of Object.keys(value)) {
    if (mapped.includes(key) || key.startsWith('x-')) continue;
    notices.push({ path: path === '' ? key : `${path}.${key}`, reason: reasonOf(key) });
  }
}
