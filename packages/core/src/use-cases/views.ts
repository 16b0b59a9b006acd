/** Maps records to the wire views of the contract. */
import type { DeploymentView, InstanceView, ReleaseView, SourceView } from '@slipway/contract';
import { redactGitUrl } from '../deployment/git-credentials.js';
import type { DeploymentRecord, InstanceRecord, PhaseRecord, ReleaseRecord } from '../domain/records.js';

const iso = (ms: number): string => new Date(ms).toISOString();
const isoOrNull = (ms: number | null): string | null => (ms === null ? null : iso(ms));

export function releaseView(
  release: ReleaseRecord,
  names: { app: string; environment: string },
  currentReleaseId: string | null,
): ReleaseView {
  return {
    id: release.id,
    app: names.app,
    environment: names.environment,
    number: release.number,
    builder: release.builder,
    source: redactSourceView(release.source),
    processes: release.processes,
    configKeys: Object.keys(release.config).sort(),
    isCurrent: release.id === currentReleaseId,
    createdAt: iso(release.createdAtMs),
    image: release.image,
  };
}

/** A git URL's user name can be the token itself (`https://<token>@github.com/…`): views show neither. */
function redactSourceView(view: SourceView): SourceView {
  return view.kind === 'git' ? { ...view, url: redactGitUrl(view.url) } : view;
}

export function deploymentSourceView(
  deployment: DeploymentRecord,
  releaseNumbers: ReadonlyMap<string, number>,
): SourceView {
  if (deployment.sourceView) return redactSourceView(deployment.sourceView);
  const source = deployment.source;
  switch (source.kind) {
    case 'path':
      return { kind: 'path', path: source.path };
    case 'git': {
      // Redacted again: a record from before credentials were split off at the API still holds them.
      const url = redactGitUrl(source.url);
      return source.ref === undefined ? { kind: 'git', url } : { kind: 'git', url, ref: source.ref };
    }
    case 'repository': {
      const url = redactGitUrl(source.url);
      return { kind: 'git', url, ...(source.ref === undefined ? {} : { ref: source.ref }), commit: source.commit };
    }
    case 'archive':
      return { kind: 'archive', fileName: source.fileName, sizeBytes: source.sizeBytes };
    case 'release':
      return { kind: 'release', releaseNumber: releaseNumbers.get(source.releaseId) ?? 0 };
    case 'image':
      return { kind: 'image', image: source.image };
  }
}

export function deploymentView(
  deployment: DeploymentRecord,
  phases: readonly PhaseRecord[],
  names: { app: string; environment: string },
  releaseNumbers: ReadonlyMap<string, number>,
): DeploymentView {
  const number = (id: string | null): number | null => (id === null ? null : (releaseNumbers.get(id) ?? null));
  return {
    id: deployment.id,
    app: names.app,
    environment: names.environment,
    kind: deployment.kind,
    state: deployment.state,
    phase: deployment.phase,
    source: deploymentSourceView(deployment, releaseNumbers),
    releaseNumber: number(deployment.releaseId),
    previousReleaseNumber: number(deployment.previousReleaseId),
    failure: deployment.failure,
    cancellation:
      deployment.cancellation === null
        ? null
        : { by: deployment.cancellation.by, requestedAt: iso(deployment.cancellation.requestedAtMs) },
    phases: phases.map((p) => ({
      phase: p.phase,
      state: p.state,
      startedAt: iso(p.startedAtMs),
      finishedAt: isoOrNull(p.finishedAtMs),
      detail: p.detail,
    })),
    createdAt: iso(deployment.createdAtMs),
    finishedAt: isoOrNull(deployment.finishedAtMs),
  };
}

export function instanceView(
  instance: InstanceRecord,
  names: { app: string; environment: string },
  releaseNumber: number,
  crashLoop: InstanceView['crashLoop'] = null,
): InstanceView {
  return {
    id: instance.id,
    app: names.app,
    environment: names.environment,
    releaseNumber,
    process: instance.process,
    state: instance.state,
    port: instance.port,
    pid: instance.pid,
    restarts: instance.restarts,
    lastExitCode: instance.lastExitCode,
    startedAt: isoOrNull(instance.startedAtMs),
    runtime: instance.runtime,
    limits: instance.limits,
    lastExitReason: instance.lastExitReason,
    crashLoop,
  };
}
