/** Use cases for host claims: list them, grant a host to a project, free one no route uses (admins). */
import { SlipwayError, type HostClaimView } from '@slipway/contract';
import type { CoreDeps } from '../core-deps.js';
import { claimHost } from '../domain/host-ownership.js';
import type { HostClaimRecord } from '../domain/records.js';
import type { Repositories } from '../ports/store.js';

async function hostClaimView(repos: Repositories, claim: HostClaimRecord): Promise<HostClaimView> {
  const project = await repos.projects.findById(claim.projectId);
  const app = claim.appId === null ? undefined : await repos.apps.findById(claim.appId);
  return {
    host: claim.host,
    project: project?.name ?? claim.projectId,
    origin: claim.origin,
    app: app?.name ?? null,
    createdAt: new Date(claim.createdAtMs).toISOString(),
  };
}

export async function listHosts(deps: Pick<CoreDeps, 'store'>): Promise<HostClaimView[]> {
  const claims = await deps.store.hostClaims.list();
  return Promise.all(claims.map((claim) => hostClaimView(deps.store, claim)));
}

/**
 * Gives `host` (a hostname or a wildcard, reserved ones included) to `project`; idempotent for its holder.
 * Errors: `PROJECT_NOT_FOUND`, `HOST_TAKEN` (another project holds it, a wildcard over it, or a host under it).
 */
export async function grantHost(
  deps: Pick<CoreDeps, 'store' | 'settings' | 'clock' | 'logger'>,
  input: { host: string; project: string },
): Promise<HostClaimView> {
  const view = await deps.store.transaction(async (tx) => {
    const project = await tx.projects.findByName(input.project);
    if (!project)
      throw new SlipwayError('PROJECT_NOT_FOUND', `no project named "${input.project}"`, {
        details: { project: input.project },
      });
    const request = { host: input.host, projectId: project.id, kind: 'grant' as const };
    const claim = await claimHost(tx, deps.settings, request, 'claim', deps.clock.nowMs());
    if (claim === undefined) throw new SlipwayError('INTERNAL', 'a granted host has no claim');
    return hostClaimView(tx, claim);
  });
  deps.logger.info({ host: view.host, project: view.project }, 'host granted');
  return view;
}

/** Frees a host for whoever claims it next. Errors: `HOST_NOT_FOUND`, `HOST_IN_USE` (a route still serves it). */
export async function revokeHost(deps: Pick<CoreDeps, 'store' | 'logger'>, host: string): Promise<void> {
  await deps.store.transaction(async (tx) => {
    if ((await tx.hostClaims.findByHost(host)) === undefined)
      throw new SlipwayError('HOST_NOT_FOUND', `host "${host}" is not claimed`, { details: { host } });
    const routes = (await tx.routes.list()).filter((route) => route.host === host);
    if (routes.length > 0) {
      const apps = await Promise.all([...new Set(routes.map((r) => r.appId))].map((id) => tx.apps.findById(id)));
      throw new SlipwayError(
        'HOST_IN_USE',
        `host "${host}" is routed to ${apps.map((a) => a?.name ?? '?').join(', ')}; deploy them without it (or delete them) first`,
        { details: { host } },
      );
    }
    await tx.hostClaims.delete(host);
  });
  deps.logger.info({ host }, 'host revoked');
}
