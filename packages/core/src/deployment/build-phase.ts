/** Fetch and build: a source becomes a built tree with a validated manifest and its process commands. */
import {
  manifestInvalidMessage,
  manifestIssues,
  manifestSchema,
  missingCommandIssue,
  SlipwayError,
  type Manifest,
} from '@slipway/contract';
import type { CoreDeps } from '../core-deps.js';
import type { AppRecord, DeploymentRecord } from '../domain/records.js';
import type { GitCredentials, SourceRequest } from '../ports/source-fetcher.js';
import { assertImageRegistryAllowed } from './image-registry.js';
import { releaseCommandName } from '../domain/process-plan.js';
import { admitRoutes } from './route-admission.js';
import { checkoutRepositorySource } from '../git/repository-checkout.js';

export interface BuiltSource {
  dir: string;
  manifest: Manifest;
  builder: string;
  processes: Record<string, { command: string }>;
  /** The builder's prefix of every command run in the release (see `ReleaseRecord.runtimePrefix`). */
  runtimePrefix?: string;
  image?: { reference: string; digest: string };
}

/**
 * The manifest of a source tree: its `slipway.yaml`, with the top-level keys of a manifest sent with the request
 * (`inline`) replacing the file's.
 */
export async function parseManifest(
  deps: Pick<CoreDeps, 'artifacts'>,
  dir: string,
  inline: Readonly<Record<string, unknown>> = {},
): Promise<Manifest> {
  const fromFile = await deps.artifacts.readManifest(dir);
  const document =
    fromFile !== null && typeof fromFile === 'object' && !Array.isArray(fromFile) ? { ...fromFile, ...inline } : inline;
  if (fromFile !== undefined && fromFile !== null && (typeof fromFile !== 'object' || Array.isArray(fromFile))) {
    throw new SlipwayError('MANIFEST_INVALID', 'slipway.yaml is invalid: (root): must be a mapping', {
      details: { issues: [{ path: '(root)', message: 'must be a mapping' }] },
    });
  }
  if (Object.keys(document).length === 0) return {};
  const parsed = manifestSchema.safeParse(document);
  if (!parsed.success) {
    const issues = manifestIssues(parsed.error, document);
    throw new SlipwayError('MANIFEST_INVALID', manifestInvalidMessage(issues), { details: { issues } });
  }
  return parsed.data;
}

export async function fetchSource(
  deps: CoreDeps,
  deployment: DeploymentRecord,
  source: SourceRequest,
  log: (line: string) => void,
  signal: AbortSignal,
  gitCredentials?: GitCredentials,
) {
  const dir = await deps.artifacts.createWorkspace(deployment.id);
  if (source.kind === 'repository')
    return { dir, view: await checkoutRepositorySource(deps, deployment, source, dir, log, signal) };
  const view = await deps.sources.fetch(source, {
    destDir: dir,
    log,
    signal,
    ...(gitCredentials === undefined ? {} : { gitCredentials }),
  });
  return { dir, view };
}

export interface BuildInput {
  app: AppRecord;
  deployment: DeploymentRecord;
  source: SourceRequest;
  dir: string;
  /** Build-time env: the app environment's config and secrets. */
  env: Readonly<Record<string, string>>;
  /** The app environment's secrets now, of which `build.secrets` picks the build secrets. */
  secrets: Readonly<Record<string, string>>;
  log: (line: string) => void;
  signal: AbortSignal;
}

export async function buildSource(deps: CoreDeps, input: BuildInput): Promise<BuiltSource> {
  const { app, deployment, source, dir, log, signal } = input;
  const inline = { ...source.manifest, ...(source.kind === 'image' ? { image: source.image } : {}) };
  const manifest = await parseManifest(deps, dir, inline);
  // An early refusal (hosts of another project, reserved hosts, taken paths); finalize decides for good.
  const routes = (manifest.routes ?? []).map((r) => ({
    host: r.host,
    pathPrefix: r.path,
    origin: 'manifest' as const,
  }));
  await admitRoutes(deps, deps.store, app, routes, 'check');
  if (manifest.image !== undefined) assertImageRegistryAllowed(manifest.image, deps.settings.imageRegistries);
  const timeoutMs = (manifest.build?.timeoutSeconds ?? 900) * 1000;
  const result = await deps.builder.build({
    dir,
    manifest,
    env: { ...manifest.env, ...input.env },
    log,
    timeoutMs,
    signal,
    image: {
      repository: `slipway-${deps.settings.runtimeNamespace}/${app.name}`,
      tag: deployment.id.replace(/[^A-Za-z0-9_.-]/g, '-').slice(0, 128),
      labels: {
        'slipway.namespace': deps.settings.runtimeNamespace,
        'slipway.app': app.name,
        'slipway.app-id': app.id,
        'slipway.deployment': deployment.id,
      },
    },
    secrets: buildSecrets(manifest, input.secrets),
    scope: app.projectId,
  });
  const processes: Record<string, { command: string }> = { ...result.processes };
  for (const [name, spec] of Object.entries(manifest.processes ?? {})) {
    if (spec.command !== undefined) processes[name] = { command: spec.command };
  }
  const commandless = Object.keys(manifest.processes ?? {}).filter((name) => processes[name] === undefined);
  if (commandless.length > 0) {
    const issues = commandless.map(missingCommandIssue);
    throw new SlipwayError('MANIFEST_INVALID', manifestInvalidMessage(issues), { details: { issues } });
  }
  if (result.runtimePrefix !== undefined) {
    for (const [name, { command }] of Object.entries(processes)) {
      processes[name] = { command: `${result.runtimePrefix} ${command}` };
    }
  }
  if (Object.keys(processes).filter((name) => name !== releaseCommandName).length === 0) {
    throw new SlipwayError(
      'BUILD_FAILED',
      'the build produced no process to run: add a Procfile, a "start" script, or processes.web.command in slipway.yaml',
    );
  }
  return {
    dir,
    manifest,
    builder: result.builder,
    processes,
    ...(result.runtimePrefix === undefined ? {} : { runtimePrefix: result.runtimePrefix }),
    ...(result.image === undefined ? {} : { image: result.image }),
  };
}

/** The secrets `build.secrets` names; naming one the app environment does not have is a manifest error. */
function buildSecrets(manifest: Manifest, secrets: Readonly<Record<string, string>>): Record<string, string> {
  const names = manifest.build?.secrets ?? [];
  const missing = names.filter((name) => secrets[name] === undefined);
  if (missing.length > 0) {
    throw new SlipwayError(
      'MANIFEST_INVALID',
      `build.secrets names ${missing.join(', ')}, not a secret of this app environment: set it with slipway secrets set`,
      { details: { issues: missing.map((name) => ({ path: 'build.secrets', message: `${name} is not set` })) } },
    );
  }
  return Object.fromEntries(names.map((name) => [name, secrets[name] as string]));
}
