/** Translates one compose service into a deployment source and a Slipway manifest, listing what does not carry over. */
import type { z } from 'zod';
import type { manifestSchema } from '../manifest.js';
import { envKeySchema, reservedEnvKeyReason } from '../names.js';
import type { ComposeService } from './compose-schema.js';
import { joinComposePath } from './compose-path.js';
import { portOf } from './compose-ports.js';
import { listUnmapped, serviceKeyReason, type ComposeNotice } from './compose-unsupported.js';
import type { ComposeIssue } from './compose-document.js';

/** A manifest as sent inline with a deployment (before defaults). */
export type ManifestInput = z.input<typeof manifestSchema>;
type ProcessInput = NonNullable<ManifestInput['processes']>[string];
type HealthCheckInput = NonNullable<ProcessInput['healthCheck']>;
type ResourcesInput = NonNullable<ManifestInput['resources']>;

/** Where an app's deployment comes from: a build context on this machine, or a ready image. */
export type StackAppSource = { path: string } | { image: string };

export interface ServiceContext {
  name: string;
  /** App name the service becomes (for the route it gets). */
  app: string;
  composeDir: string;
  runtime: 'docker' | 'swarm';
  /** Host the edge routes to the app (`<app>.localhost`). */
  routeHost: string;
  lookup: (name: string) => string | undefined;
  envFiles: ReadonlyMap<string, Readonly<Record<string, string>>>;
  envFilePaths: ReadonlyArray<{ index: number; path: string; isRequired: boolean }>;
}

export interface ServiceTranslation {
  source: StackAppSource;
  manifest: ManifestInput;
  unsupported: ComposeNotice[];
  notes: ComposeNotice[];
  issues: ComposeIssue[];
}

/** Service keys this module maps (or, for `profiles` and `depends_on`, the plan does). */
const mappedServiceKeys = [
  'image',
  'build',
  'command',
  'environment',
  'env_file',
  'ports',
  'expose',
  'depends_on',
  'healthcheck',
  'deploy',
  'scale',
  'stop_grace_period',
  'mem_limit',
  'cpus',
  'pids_limit',
  'profiles',
];

const plainWord = /^[A-Za-z0-9_@%+=:,./-]+$/;

/** A command line `sh` reads back as the same words: plain words as they are, the others in single quotes. */
export function shellQuote(words: readonly string[]): string {
  return words.map((word) => (plainWord.test(word) ? word : `'${word.replaceAll("'", `'\\''`)}'`)).join(' ');
}

/**
 * `NAME: value` or `["NAME=value", "NAME"]` resolved: a name without a value is looked up, and left out when unset.
 * Names Slipway cannot pass as environment variables are issues.
 */
function resolveVariables(
  value: Record<string, string | number | boolean | null> | string[] | undefined,
  path: string,
  lookup: (name: string) => string | undefined,
  t: Pick<ServiceTranslation, 'notes' | 'issues'>,
): Record<string, string> {
  const out: Record<string, string> = {};
  const set = (name: string, entry: string | undefined, where: string) => {
    if (!envKeySchema.safeParse(name).success)
      t.issues.push({
        path: where,
        message: `"${name}" is not a variable name (letters, digits and "_", not first a digit)`,
      });
    else if (entry === undefined) t.notes.push({ path: where, reason: 'left out — not set in the environment' });
    else out[name] = entry;
  };
  if (value === undefined) return out;
  if (Array.isArray(value)) {
    value.forEach((entry, index) => {
      const equals = entry.indexOf('=');
      const name = equals === -1 ? entry : entry.slice(0, equals);
      set(name, equals === -1 ? lookup(name) : entry.slice(equals + 1), `${path}[${index}]`);
    });
    return out;
  }
  for (const [name, entry] of Object.entries(value))
    set(name, entry === null ? lookup(name) : String(entry), `${path}.${name}`);
  return out;
}

const remoteContext = /^([a-z][a-z0-9+.-]*:\/\/|git@)/i;

function sourceOf(service: ComposeService, context: ServiceContext, t: ServiceTranslation): ManifestInput['build'] {
  const base = `services.${context.name}`;
  const build = service.build;
  if (build === undefined) {
    if (service.image === undefined) t.issues.push({ path: base, message: 'needs an image or a build' });
    else t.source = { image: service.image };
    return undefined;
  }
  const spec = typeof build === 'string' ? { context: build } : build;
  if (typeof build !== 'string')
    listUnmapped(build, ['context', 'dockerfile', 'args', 'target'], `${base}.build`, t.unsupported);
  if (remoteContext.test(spec.context)) {
    t.issues.push({
      path: `${base}.build${typeof build === 'string' ? '' : '.context'}`,
      message: `a remote build context (${spec.context}) is not supported: clone it and point build at the directory`,
    });
    return undefined;
  }
  t.source = { path: joinComposePath(context.composeDir, spec.context) };
  if (service.image !== undefined)
    t.unsupported.push({
      path: `${base}.image`,
      reason: `ignored — the app is built from ${spec.context}; Slipway names the images it builds`,
    });
  const args = typeof build === 'string' ? {} : resolveVariables(build.args, `${base}.build.args`, context.lookup, t);
  return {
    builder: 'dockerfile',
    ...(typeof build !== 'string' && build.dockerfile !== undefined ? { dockerfile: build.dockerfile } : {}),
    ...(Object.keys(args).length > 0 ? { args } : {}),
    ...(typeof build !== 'string' && build.target !== undefined ? { target: build.target } : {}),
  };
}

function healthCheckOf(service: ComposeService, base: string, t: ServiceTranslation): HealthCheckInput | undefined {
  const check = service.healthcheck;
  if (check === undefined) return undefined;
  const path = `${base}.healthcheck`;
  listUnmapped(check, ['test', 'interval', 'timeout', 'retries', 'start_period', 'disable'], path, t.unsupported);
  if (check.disable === true) return { type: 'none' };
  const test = check.test;
  if (test === undefined) {
    t.unsupported.push({
      path,
      reason: "no test — the image's own HEALTHCHECK is not read; Slipway's default check applies",
    });
    return undefined;
  }
  let command: string;
  if (typeof test === 'string') command = test;
  else {
    const [kind, ...rest] = test;
    if (kind === 'NONE') return { type: 'none' };
    if (kind === 'CMD') command = shellQuote(rest);
    else if (kind === 'CMD-SHELL') command = rest.join(' ');
    else {
      t.issues.push({
        path: `${path}.test`,
        message: 'must start with "CMD", "CMD-SHELL" or "NONE", or be a shell command',
      });
      return undefined;
    }
  }
  if (command.trim() === '') {
    t.issues.push({ path: `${path}.test`, message: 'has no command' });
    return undefined;
  }
  return {
    type: 'exec',
    command,
    ...(check.interval === undefined ? {} : { intervalSeconds: check.interval }),
    ...(check.timeout === undefined ? {} : { timeoutSeconds: check.timeout }),
    ...(check.retries === undefined ? {} : { retries: check.retries }),
    ...(check.start_period === undefined ? {} : { startPeriodSeconds: check.start_period }),
  };
}

function resourcesOf(service: ComposeService, base: string, t: ServiceTranslation): ResourcesInput | undefined {
  const deployResources = service.deploy?.resources;
  listUnmapped(deployResources, ['limits'], `${base}.deploy.resources`, t.unsupported, (key) =>
    key === 'reservations'
      ? 'not used — only limits are enforced; nothing is reserved'
      : 'ignored — not supported by Slipway',
  );
  const limits = deployResources?.limits;
  listUnmapped(limits, ['cpus', 'memory', 'pids'], `${base}.deploy.resources.limits`, t.unsupported);
  const pick = (key: 'cpus' | 'memory' | 'pids', legacyKey: 'cpus' | 'mem_limit' | 'pids_limit') => {
    const shown = (value: number) => String(key === 'memory' ? formatMemory(value) : value);
    const modern = limits?.[key];
    const legacy = service[legacyKey];
    if (modern !== undefined && legacy !== undefined && modern !== legacy)
      t.issues.push({
        path: `${base}.${legacyKey}`,
        message: `differs from deploy.resources.limits.${key} (${shown(legacy)} against ${shown(modern)}): set one of them`,
      });
    return modern ?? legacy;
  };
  const memory = pick('memory', 'mem_limit');
  const cpus = pick('cpus', 'cpus');
  const pids = pick('pids', 'pids_limit');
  const resources: ResourcesInput = {
    ...(memory === undefined ? {} : { memory: formatMemory(memory) }),
    ...(cpus === undefined ? {} : { cpus }),
    ...(pids === undefined ? {} : { pids }),
  };
  return Object.keys(resources).length === 0 ? undefined : resources;
}

/** `268435456` → `256MiB`, which the manifest reads back exactly and people read at a glance. */
function formatMemory(bytes: number): string | number {
  for (const [unit, factor] of [
    ['GiB', 1024 ** 3],
    ['MiB', 1024 ** 2],
    ['KiB', 1024],
  ] as const)
    if (bytes % factor === 0) return `${bytes / factor}${unit}`;
  return bytes;
}

function deploySettings(service: ComposeService, base: string, t: ServiceTranslation) {
  const deploy = service.deploy;
  listUnmapped(
    deploy,
    ['replicas', 'resources', 'placement', 'update_config', 'mode'],
    `${base}.deploy`,
    t.unsupported,
    (key) =>
      key === 'restart_policy'
        ? "not needed — Slipway's controller restarts crashed instances, with backoff"
        : 'ignored — not supported by Slipway',
  );
  if (deploy?.['mode'] !== undefined && deploy['mode'] !== 'replicated')
    t.unsupported.push({ path: `${base}.deploy.mode`, reason: 'ignored — Slipway runs deploy.replicas instances' });
  listUnmapped(deploy?.placement, ['constraints'], `${base}.deploy.placement`, t.unsupported);
  listUnmapped(deploy?.update_config, ['order'], `${base}.deploy.update_config`, t.unsupported);
  const constraints = deploy?.placement?.constraints;
  const order = deploy?.update_config?.order;
  return {
    placement: constraints === undefined || constraints.length === 0 ? undefined : { constraints },
    strategy:
      order === undefined
        ? undefined
        : order === 'start-first'
          ? ({ type: 'rolling', maxSurge: 1, maxUnavailable: 0 } as const)
          : ({ type: 'rolling', maxSurge: 0, maxUnavailable: 1 } as const),
  };
}

/** The source and manifest of one service; problems are returned in `issues`, not thrown, so all are reported at once. */
export function translateService(service: ComposeService, context: ServiceContext): ServiceTranslation {
  const base = `services.${context.name}`;
  const t: ServiceTranslation = {
    source: { path: context.composeDir },
    manifest: {},
    unsupported: [],
    notes: [],
    issues: [],
  };
  listUnmapped(service, mappedServiceKeys, base, t.unsupported, serviceKeyReason);
  const build = sourceOf(service, context, t);
  const port = portOf(service, context, t);

  const env: Record<string, string> = {};
  for (const file of context.envFilePaths) {
    const values = context.envFiles.get(file.path);
    if (values === undefined && file.isRequired)
      t.issues.push({ path: `${base}.env_file[${file.index}]`, message: `${file.path} does not exist` });
    for (const [name, value] of Object.entries(values ?? {})) {
      if (envKeySchema.safeParse(name).success) env[name] = value;
      else
        t.issues.push({
          path: `${base}.env_file[${file.index}]`,
          message: `"${name}" is not a variable name Slipway can pass`,
        });
    }
  }
  Object.assign(env, resolveVariables(service.environment, `${base}.environment`, context.lookup, t));
  // Slipway sets these for every instance (PORT to the port the program listens on, from `port:`): a value here
  // would be overridden, so it is left out and said so.
  for (const name of Object.keys(env)) {
    if (reservedEnvKeyReason(name) === undefined) continue;
    delete env[name];
    t.notes.push({ path: `${base}.environment.${name}`, reason: `left out — Slipway sets ${name} for each instance` });
  }

  const command =
    service.command === undefined
      ? undefined
      : typeof service.command === 'string'
        ? service.command
        : shellQuote(service.command);
  const healthCheck = healthCheckOf(service, base, t);
  const replicas = service.deploy?.replicas ?? service.scale;
  const web: ProcessInput = {
    ...(command === undefined || command.trim() === '' ? {} : { command }),
    ...(replicas === undefined ? {} : { replicas }),
    ...(healthCheck === undefined ? {} : { healthCheck }),
    ...(service.stop_grace_period === undefined ? {} : { stopGraceSeconds: service.stop_grace_period }),
  };
  const resources = resourcesOf(service, base, t);
  const { placement, strategy } = deploySettings(service, base, t);

  t.manifest = {
    runtime: context.runtime,
    ...(build === undefined ? {} : { build }),
    ...(port === undefined ? {} : { port }),
    ...(Object.keys(env).length === 0 ? {} : { env }),
    ...(Object.keys(web).length === 0 ? {} : { processes: { web } }),
    ...(resources === undefined ? {} : { resources }),
    ...(placement === undefined ? {} : { placement }),
    ...(strategy === undefined ? {} : { strategy }),
  };
  return t;
}
