/**
 * Admits the routes a release serves: each host is its project's (see host-ownership.ts) and no other app serves the
 * same host and path. Checked early (build, rollout) to fail before work is done, and decided in the transaction of
 * finalize that writes the routes, for every kind of deployment.
 */
import { SlipwayError } from '@slipway/contract';
import type { CoreDeps } from '../core-deps.js';
import { claimHost, type HostClaimMode } from '../domain/host-ownership.js';
import type { AppRecord, RouteRecord } from '../domain/records.js';
import type { Repositories } from '../ports/store.js';

export type RouteToAdmit = Pick<RouteRecord, 'host' | 'pathPrefix' | 'origin'>;

/** Errors: `HOST_TAKEN`, `HOST_RESERVED`, `MANIFEST_INVALID` (a host and path another app of the project serves). */
export async function admitRoutes(
  deps: Pick<CoreDeps, 'settings' | 'clock'>,
  tx: Repositories,
  app: AppRecord,
  routes: readonly RouteToAdmit[],
  mode: HostClaimMode,
): Promise<void> {
  const seen = new Set<string>();
  for (const route of routes) {
    if (seen.has(route.host)) continue;
    seen.add(route.host);
    // The default route's host is computed from the app's own name: the app's to claim, even under the default domain.
    const kind = route.origin === 'default' ? 'default' : 'route';
    await claimHost(
      tx,
      deps.settings,
      { host: route.host, projectId: app.projectId, kind, appId: app.id },
      mode,
      deps.clock.nowMs(),
    );
  }
  const taken = (await tx.routes.list()).filter((r) => r.appId !== app.id);
  for (const [index, route] of routes.entries()) {
    const clash = taken.find((r) => r.host === route.host && r.pathPrefix === route.pathPrefix);
    if (clash === undefined) continue;
    const owner = await tx.apps.findById(clash.appId);
    throw new SlipwayError(
      'MANIFEST_INVALID',
      `routes.${index}: ${route.host}${route.pathPrefix} is already served by app "${owner?.name ?? clash.appId}"`,
      { details: { issues: [{ path: `routes.${index}.host`, message: 'already routed to another app' }] } },
    );
  }
}
