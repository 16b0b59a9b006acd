/** The apps a stack's services become: created in the stack's project when missing, never taken from another one. */
import { SlipwayError } from '@slipway/contract';
import type { CoreDeps } from '../core-deps.js';
import type { ProjectRecord } from '../domain/records.js';
import { createApp } from '../use-cases/apps.js';
import type { PlannedStack } from './stack-plans.js';
import type { StackServiceRecord } from './stack-records.js';

const describeSource = (service: PlannedStack['services'][number]): string => {
  const { source } = service;
  if (source.kind === 'image') return `image ${source.image}`;
  if (source.kind === 'path') return `build ${source.path}`;
  return 'repository';
};

/**
 * Creates the project's apps the plan names that do not exist yet; refuses, before creating any, apps of those names in
 * another project. Errors: `COMPOSE_INVALID`.
 */
export async function ensureStackApps(
  deps: CoreDeps,
  project: ProjectRecord,
  planned: PlannedStack,
): Promise<StackServiceRecord[]> {
  const conflicts: Array<{ path: string; message: string }> = [];
  for (const { plan } of planned.services) {
    const app = await deps.store.apps.findByName(plan.app);
    if (app !== undefined && app.projectId !== project.id)
      conflicts.push({ path: `services.${plan.service}`, message: `app ${plan.app} exists in another project` });
  }
  if (conflicts.length > 0)
    throw new SlipwayError(
      'COMPOSE_INVALID',
      `apps of this stack belong to other projects: ${conflicts.map((c) => c.message).join('; ')}; choose other names with a prefix`,
      { details: { issues: conflicts } },
    );
  const services: StackServiceRecord[] = [];
  for (const service of planned.services) {
    const existing = await deps.store.apps.findByName(service.plan.app);
    const appId = existing?.id ?? (await createApp(deps, { name: service.plan.app, project: project.name })).id;
    services.push({
      service: service.plan.service,
      app: service.plan.app,
      appId,
      dependsOn: service.plan.dependsOn,
      source: describeSource(service),
    });
  }
  return services;
}
