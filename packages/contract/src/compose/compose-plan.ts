/** The stack plan of a compose file: which app each service becomes, from what source, with what manifest, in what order. */
import { manifestIssues } from '../manifest-issues.js';
import { manifestSchema } from '../manifest.js';
import { dnsLabelSchema } from '../names.js';
import { assertNoComposeIssues, envFilesOf, type ComposeFile, type ComposeIssue } from './compose-document.js';
import type { ComposeService } from './compose-schema.js';
import { translateService, type ManifestInput, type StackAppSource } from './compose-service-manifest.js';
import { listUnmapped, topLevelKeyReason, type ComposeNotice } from './compose-unsupported.js';

export type { ComposeNotice } from './compose-unsupported.js';
export type { ManifestInput, StackAppSource } from './compose-service-manifest.js';

/** One service as a Slipway app. */
export interface StackAppPlan {
  service: string;
  app: string;
  source: StackAppSource;
  /** Sent inline with the deployment: its keys replace those of a `slipway.yaml` in the build context. */
  manifest: ManifestInput;
  /** Services this one waits for. */
  dependsOn: string[];
}

export interface StackPlan {
  /** The project the apps are created in. */
  stack: string;
  runtime: 'docker' | 'swarm';
  /** In the compose file's order. */
  apps: StackAppPlan[];
  /** Service names in deployment order: each after the services it depends on. */
  order: string[];
  /** Compose keys that do not carry over, each with the reason; never dropped in silence. */
  unsupported: ComposeNotice[];
  /** Keys that carry over with a difference worth knowing (dependency conditions, the port taken from expose). */
  notes: ComposeNotice[];
}

export interface PlanStackOptions {
  stackName: string;
  /** Build contexts and env files are resolved against it. */
  composeDir: string;
  /** Put before each service name (`shop` → `shop-web`). */
  prefix?: string | undefined;
  runtime?: 'docker' | 'swarm' | undefined;
  /** The environment deployed to; names the host the edge routes (`<app>.localhost`, `<app>-staging.localhost`). */
  environment?: string | undefined;
  /** Variables for bare `environment` and `build.args` names; default none. */
  variables?: Readonly<Record<string, string>> | undefined;
  /** Contents of env files by absolute path (`readComposeFile` reads them). */
  envFiles?: ReadonlyMap<string, Readonly<Record<string, string>>> | undefined;
  /** Named in the error message. */
  fileName?: string | undefined;
}

const labelRule =
  'an app name starts with a lowercase letter, holds only lowercase letters, digits and single "-", ends with a letter or digit and has at most 40 characters';

/** Turns a directory or compose project name into a DNS label (`My_Shop 2` → `my-shop-2`); undefined when nothing is left. */
export function stackNameFrom(text: string): string | undefined {
  const label = text
    .toLowerCase()
    .replace(/[^a-z0-9-]+/g, '-')
    .replace(/-+/g, '-')
    .replace(/^[^a-z]+/, '')
    .slice(0, 40)
    .replace(/-+$/, '');
  return dnsLabelSchema.safeParse(label).success ? label : undefined;
}

/** `shop` + `web` → `shop-web`; a prefix ending in "-" is used as it is. */
export function appNameOf(service: string, prefix: string | undefined): string {
  if (prefix === undefined || prefix === '') return service;
  return prefix.endsWith('-') ? `${prefix}${service}` : `${prefix}-${service}`;
}

function dependenciesOf(service: ComposeService) {
  const dependsOn = service.depends_on;
  if (dependsOn === undefined) return [];
  if (Array.isArray(dependsOn))
    return dependsOn.map((name) => ({ name, condition: 'service_started', isRequired: true, extra: undefined }));
  return Object.entries(dependsOn).map(([name, spec]) => ({
    name,
    condition: spec.condition,
    isRequired: spec.required,
    extra: spec,
  }));
}

const conditionNotes: Record<string, (dependency: string) => string> = {
  service_started: (d) =>
    `${d} is deployed first; Slipway waits for its deployment to succeed (instances healthy), more than started`,
  service_healthy: (d) =>
    `${d} is deployed first; Slipway waits for its deployment to succeed, i.e. its instances healthy`,
  service_completed_successfully: (d) =>
    `${d} is deployed first and must become healthy: Slipway runs services, not one-off tasks that exit`,
};

/** Deployment order by depends_on (Kahn, ties in file order); a cycle is reported as the loop it makes. */
function deploymentOrder(graph: Map<string, string[]>, issues: ComposeIssue[]): string[] {
  const order: string[] = [];
  const placed = new Set<string>();
  let isProgress = true;
  while (isProgress) {
    isProgress = false;
    for (const [name, dependencies] of graph) {
      if (placed.has(name) || !dependencies.every((d) => placed.has(d))) continue;
      placed.add(name);
      order.push(name);
      isProgress = true;
    }
  }
  const left = [...graph.keys()].filter((name) => !placed.has(name));
  if (left.length > 0) {
    // Walk unplaced dependencies from one unplaced service until a name comes back: that is a loop.
    const walk: string[] = [];
    let current: string | undefined = left[0];
    while (current !== undefined && !walk.includes(current)) {
      walk.push(current);
      current = (graph.get(current) ?? []).find((d) => !placed.has(d));
    }
    const loop = current === undefined ? walk : [...walk.slice(walk.indexOf(current)), current];
    issues.push({
      path: `services.${loop[0] ?? ''}.depends_on`,
      message: `depends_on makes a cycle: ${loop.join(' → ')}`,
    });
  }
  return order;
}

/**
 * Translates a validated compose file into a stack plan, without I/O. Every problem (a name that cannot be an app, a
 * missing or cyclic dependency, a value the manifest refuses) is collected and thrown as one COMPOSE_INVALID.
 */
export function planStack(compose: ComposeFile, options: PlanStackOptions): StackPlan {
  const runtime = options.runtime ?? 'docker';
  const variables = options.variables ?? {};
  const lookup = (name: string) => (Object.hasOwn(variables, name) ? variables[name] : undefined);
  const issues: ComposeIssue[] = [];
  const unsupported: ComposeNotice[] = [];
  const notes: ComposeNotice[] = [];
  listUnmapped(compose, ['name', 'services'], '', unsupported, topLevelKeyReason);
  if (!dnsLabelSchema.safeParse(options.stackName).success)
    issues.push({
      path: '(stack)',
      message: `"${options.stackName}" cannot be a stack (project) name: ${labelRule.replace('an app', 'a stack')}`,
    });

  const services = Object.entries(compose.services);
  const skipped = new Set<string>();
  for (const [name, service] of services) {
    if (service.profiles !== undefined && service.profiles.length > 0) {
      skipped.add(name);
      unsupported.push({
        path: `services.${name}`,
        reason: `skipped — it has profiles (${service.profiles.join(', ')}); only services without profiles are imported`,
      });
    }
  }

  const apps: StackAppPlan[] = [];
  const graph = new Map<string, string[]>();
  for (const [name, service] of services) {
    if (skipped.has(name)) continue;
    const base = `services.${name}`;
    const app = appNameOf(name, options.prefix);
    if (!dnsLabelSchema.safeParse(app).success)
      issues.push({ path: base, message: `"${app}" cannot be an app name: ${labelRule}` });
    const label =
      options.environment === undefined || options.environment === 'production' ? app : `${app}-${options.environment}`;
    const translated = translateService(service, {
      name,
      app,
      composeDir: options.composeDir,
      runtime,
      routeHost: `${label}.localhost`,
      lookup,
      envFiles: options.envFiles ?? new Map(),
      envFilePaths: envFilesOf(service, options.composeDir),
    });
    issues.push(...translated.issues);
    unsupported.push(...translated.unsupported);
    notes.push(...translated.notes);
    const checked = manifestSchema.safeParse(translated.manifest);
    if (!checked.success)
      for (const issue of manifestIssues(checked.error, translated.manifest))
        issues.push({ path: base, message: `the manifest it becomes is invalid at ${issue.path}: ${issue.message}` });

    const dependsOn: string[] = [];
    for (const dependency of dependenciesOf(service)) {
      const path = `${base}.depends_on.${dependency.name}`;
      if (dependency.extra !== undefined)
        listUnmapped(dependency.extra, ['condition', 'required'], path, unsupported, (key) =>
          key === 'restart'
            ? 'not applied — dependents are not restarted with their dependency'
            : 'ignored — not supported by Slipway',
        );
      if (skipped.has(dependency.name)) {
        issues.push({ path, message: `${dependency.name} is skipped because it has profiles` });
      } else if (compose.services[dependency.name] === undefined) {
        if (dependency.isRequired) issues.push({ path, message: `${dependency.name} is not a service of this file` });
        else
          notes.push({ path, reason: `${dependency.name} is not a service of this file; not required, so left out` });
      } else {
        dependsOn.push(dependency.name);
        notes.push({
          path,
          reason: (conditionNotes[dependency.condition] ?? conditionNotes['service_started'])?.(dependency.name) ?? '',
        });
      }
    }
    graph.set(name, dependsOn);
    apps.push({ service: name, app, source: translated.source, manifest: translated.manifest, dependsOn });
  }
  if (options.prefix !== undefined && options.prefix !== '' && apps.length > 0) {
    const example = apps[0];
    notes.push({
      path: '(prefix)',
      reason: `on the stack's network the apps answer to their app names (${example?.app ?? ''}), not to their service names (${example?.service ?? ''}); change references such as http://${example?.service ?? ''}:… to match`,
    });
  }
  const order = deploymentOrder(graph, issues);
  assertNoComposeIssues(options.fileName ?? 'the compose file', issues);
  return { stack: options.stackName, runtime, apps, order, unsupported, notes };
}
