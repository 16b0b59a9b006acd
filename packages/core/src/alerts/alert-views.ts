/** Alerts as users read them (`slipway alerts list`): the open ones first, then the recently resolved. */
import { SlipwayError, type AlertView } from '@slipway/contract';
import type { CoreDeps } from '../core-deps.js';
import type { AlertRecord, AlertRecordState } from './alert-records.js';

export interface AlertListing {
  /** A project's name. */
  project?: string;
  state?: AlertRecordState;
  limit: number;
}

const iso = (ms: number | null): string | null => (ms === null ? null : new Date(ms).toISOString());

/** Errors: `PROJECT_NOT_FOUND` when the named project does not exist. */
export async function listAlerts(deps: Pick<CoreDeps, 'store'>, listing: AlertListing): Promise<AlertView[]> {
  const [projects, apps] = await Promise.all([deps.store.projects.list(), deps.store.apps.list()]);
  const projectNames = new Map(projects.map((p) => [p.id, p.name]));
  let projectId: string | undefined;
  if (listing.project !== undefined) {
    projectId = projects.find((p) => p.name === listing.project)?.id;
    if (projectId === undefined) throw new SlipwayError('PROJECT_NOT_FOUND', `project ${listing.project} not found`);
  }
  const appNames = new Map(apps.map((a) => [a.id, a.name]));
  const environmentNames = new Map<string, string>();
  for (const project of projects) {
    for (const e of await deps.store.environments.listByProject(project.id)) environmentNames.set(e.id, e.name);
  }
  const alerts = await deps.store.alerts.listAlerts({
    ...(projectId === undefined ? {} : { projectId }),
    ...(listing.state === undefined ? {} : { state: listing.state }),
    limit: listing.limit,
  });
  return alerts.map((a: AlertRecord): AlertView => ({
    id: a.id,
    ruleId: a.ruleId,
    project: projectNames.get(a.projectId) ?? a.projectId,
    kind: a.kind,
    subject: a.subject,
    app: a.appId === null ? null : (appNames.get(a.appId) ?? null),
    environment: a.environmentId === null ? null : (environmentNames.get(a.environmentId) ?? null),
    state: a.state,
    activeAt: new Date(a.activeAtMs).toISOString(),
    firedAt: iso(a.firedAtMs),
    resolvedAt: iso(a.resolvedAtMs),
    value: a.value,
    threshold: a.threshold,
    message: a.message,
  }));
}
