/** Fetch and build: a source becomes a built tree with a validated manifest and its process commands. */
import { manifestIssues, manifestSchema, SlipwayError, type Manifest } from '@slipway/contract';
import type { CoreDeps } from '../core-deps.js';
import type { AppRecord, DeploymentRecord } from '../domain/records.js';
import type { SourceRequest } from '../ports/source-fetcher.js';

export interface BuiltSource {
  dir: string;
  manifest: Manifest;
  builder: string;
  processes: Record<string, { command: string }>;
}

export async function parseManifest(deps: Pick<CoreDeps, 'artifacts'>, dir: string): Promise<Manifest> {
  const document = await deps.artifacts.readManifest(dir);
  if (document === undefined || document === null) return {};
  const parsed = manifestSchema.safeParse(document);
  if (!parsed.success) {
    const issues = manifestIssues(parsed.error);
    throw new SlipwayError(
      'MANIFEST_INVALID',
      `slipway.yaml is invalid: ${issues.map((i) => `${i.path}: ${i.message}`).join('; ')}`,
      {
        details: { issues },
      },
    );
  }
  return parsed.data;
}

/** Manifest routes must not take a host and path another app already serves. */
export async function assertRoutesFree(
  deps: Pick<CoreDeps, 'store'>,
  app: AppRecord,
  manifest: Manifest,
): Promise<void> {
  const taken = await deps.store.routes.list();
  for (const [index, route] of (manifest.routes ?? []).entries()) {
    const clash = taken.find((r) => r.appId !== app.id && r.host === route.host && r.pathPrefix === route.path);
    if (clash) {
      const owner = await deps.store.apps.findById(clash.appId);
      throw new SlipwayError(
        'MANIFEST_INVALID',
        `routes.${index}: ${route.host}${route.path} is already served by app "${owner?.name ?? clash.appId}"`,
        {
          details: { issues: [{ path: `routes.${index}.host`, message: 'already routed to another app' }] },
        },
      );
    }
  }
}

export async function fetchSource(
  deps: CoreDeps,
  deployment: DeploymentRecord,
  source: SourceRequest,
  log: (line: string) => void,
  signal: AbortSignal,
) {
  const dir = await deps.artifacts.createWorkspace(deployment.id);
  const view = await deps.sources.fetch(source, { destDir: dir, log, signal });
  return { dir, view };
}

export async function buildSource(
  deps: CoreDeps,
  app: AppRecord,
  dir: string,
  config: Readonly<Record<string, string>>,
  log: (line: string) => void,
  signal: AbortSignal,
): Promise<BuiltSource> {
  const manifest = await parseManifest(deps, dir);
  await assertRoutesFree(deps, app, manifest);
  const timeoutMs = (manifest.build?.timeoutSeconds ?? 900) * 1000;
  const result = await deps.builder.build({
    dir,
    manifest,
    env: { ...manifest.env, ...config },
    log,
    timeoutMs,
    signal,
  });
  const processes: Record<string, { command: string }> = { ...result.processes };
  for (const [name, spec] of Object.entries(manifest.processes ?? {})) {
    if (spec.command !== undefined) processes[name] = { command: spec.command };
  }
  if (Object.keys(processes).length === 0) {
    throw new SlipwayError(
      'BUILD_FAILED',
      'the build produced no process to run: add a Procfile, a "start" script, or processes.web.command in slipway.yaml',
    );
  }
  return { dir, manifest, builder: result.builder, processes };
}
