/**
 * Alert rules as users manage them (`slipway alerts rules add|list|remove`): a project's own rules, per app and
 * environment or for all of them, beside its built-in ones (made on first use; removing one turns it off for good).
 */
import { SlipwayError, type AddAlertRuleBody, type AlertRuleView } from '@slipway/contract';
import type { CoreDeps } from '../core-deps.js';
import { alertKindSpecs, defaultAlertKinds, formatAlertValue } from './alert-kinds.js';
import type { AlertRuleKind, AlertRuleRecord } from './alert-records.js';

type RuleDeps = Pick<CoreDeps, 'store' | 'ids' | 'clock' | 'alertSources'>;

const isAvailable = (deps: Pick<CoreDeps, 'alertSources'>, kind: AlertRuleKind): boolean =>
  deps.alertSources?.[kind] !== undefined;

/**
 * Makes the project's built-in rules it lacks (of the kinds `isAvailable` accepts): one per default kind, at the
 * kind's defaults. Idempotent; a concurrent maker's rule stands.
 */
export async function ensureDefaultAlertRules(
  deps: Pick<CoreDeps, 'store' | 'ids' | 'clock'>,
  projectId: string,
  isKindAvailable: (kind: AlertRuleKind) => boolean,
): Promise<void> {
  const rules = await deps.store.alerts.listRules(projectId);
  for (const kind of defaultAlertKinds) {
    if (!isKindAvailable(kind) || rules.some((r) => r.defaultKind === kind)) continue;
    const spec = alertKindSpecs[kind];
    try {
      await deps.store.alerts.insertRule({
        id: deps.ids.next('alr'),
        projectId,
        appId: null,
        environmentId: null,
        kind,
        threshold: spec.threshold?.defaultValue ?? null,
        forMs: spec.defaultForMs,
        minRequests: spec.defaultMinRequests,
        defaultKind: kind,
        isEnabled: true,
        createdAtMs: deps.clock.nowMs(),
      });
    } catch (error) {
      if (!(error instanceof SlipwayError && error.code === 'VERSION_CONFLICT')) throw error;
    }
  }
}

interface ScopeNames {
  projects: Map<string, string>;
  apps: Map<string, string>;
  environments: Map<string, string>;
}

async function scopeNames(deps: Pick<CoreDeps, 'store'>): Promise<ScopeNames> {
  const [projects, apps] = await Promise.all([deps.store.projects.list(), deps.store.apps.list()]);
  const environments = new Map<string, string>();
  for (const project of projects) {
    for (const e of await deps.store.environments.listByProject(project.id)) environments.set(e.id, e.name);
  }
  return {
    projects: new Map(projects.map((p) => [p.id, p.name])),
    apps: new Map(apps.map((a) => [a.id, a.name])),
    environments,
  };
}

function toRuleView(record: AlertRuleRecord, names: ScopeNames): AlertRuleView {
  return {
    id: record.id,
    project: names.projects.get(record.projectId) ?? record.projectId,
    app: record.appId === null ? null : (names.apps.get(record.appId) ?? record.appId),
    environment: record.environmentId === null ? null : (names.environments.get(record.environmentId) ?? null),
    kind: record.kind,
    threshold: record.threshold,
    forSeconds: Math.round(record.forMs / 1000),
    minRequests: record.minRequests,
    isDefault: record.defaultKind !== null,
    isEnabled: record.isEnabled,
    createdAt: new Date(record.createdAtMs).toISOString(),
  };
}

const invalid = (message: string): SlipwayError => new SlipwayError('ALERT_RULE_INVALID', message);

/**
 * Adds a rule at the kind's defaults for what the body leaves out. Errors: `PROJECT_NOT_FOUND`, `APP_NOT_FOUND` (also
 * for an app of another project), `ENVIRONMENT_NOT_FOUND`, `ALERT_RULE_INVALID` (a kind slipwayd cannot observe, a
 * threshold out of the kind's bounds or given to a kind without one, an app or environment on a project-wide kind,
 * `minRequests` on a kind not measured on requests). Nothing is stored on an error.
 */
export async function addAlertRule(deps: RuleDeps, body: AddAlertRuleBody): Promise<AlertRuleView> {
  const project = await deps.store.projects.findByName(body.project);
  if (!project) throw new SlipwayError('PROJECT_NOT_FOUND', `project ${body.project} not found`);
  const spec = alertKindSpecs[body.kind];
  if (!isAvailable(deps, body.kind)) {
    throw invalid(`alert rules of kind ${body.kind} are not available: this slipwayd has no source for them`);
  }
  if (spec.scope === 'project' && (body.app !== undefined || body.environment !== undefined)) {
    throw invalid(`a ${body.kind} rule is about the whole project: give it no app and no environment`);
  }
  let threshold: number | null = null;
  if (spec.threshold === null) {
    if (body.threshold !== undefined) throw invalid(`a ${body.kind} rule has no threshold`);
  } else {
    threshold = body.threshold ?? spec.threshold.defaultValue;
    if (!(threshold > spec.threshold.above && threshold <= spec.threshold.atMost)) {
      throw invalid(
        `threshold of a ${body.kind} rule: more than ${spec.threshold.above} and at most ${formatAlertValue(spec.threshold.atMost, spec.threshold.unit)}` +
          (spec.threshold.unit === 'share' ? ' (a share: 0.05 is 5%)' : ` (${spec.threshold.unit})`),
      );
    }
  }
  if (spec.defaultMinRequests === null && body.minRequests !== undefined) {
    throw invalid(`minRequests goes with the edge kinds only (error-rate, latency-p95, latency-p99)`);
  }
  let appId: string | null = null;
  if (body.app !== undefined) {
    const app = await deps.store.apps.findByName(body.app);
    if (!app || app.projectId !== project.id) {
      throw new SlipwayError('APP_NOT_FOUND', `app ${body.app} not found in project ${project.name}`);
    }
    appId = app.id;
  }
  let environmentId: string | null = null;
  if (body.environment !== undefined) {
    const environment = await deps.store.environments.find(project.id, body.environment);
    if (!environment) {
      throw new SlipwayError(
        'ENVIRONMENT_NOT_FOUND',
        `environment ${body.environment} not found in project ${project.name}`,
      );
    }
    environmentId = environment.id;
  }
  const record: AlertRuleRecord = {
    id: deps.ids.next('alr'),
    projectId: project.id,
    appId,
    environmentId,
    kind: body.kind,
    threshold,
    forMs: (body.forSeconds ?? spec.defaultForMs / 1000) * 1000,
    minRequests: spec.defaultMinRequests === null ? null : (body.minRequests ?? spec.defaultMinRequests),
    defaultKind: null,
    isEnabled: true,
    createdAtMs: deps.clock.nowMs(),
  };
  await ensureDefaultAlertRules(deps, project.id, (kind) => isAvailable(deps, kind));
  await deps.store.alerts.insertRule(record);
  return toRuleView(record, await scopeNames(deps));
}

/** The rules of every project, or of one, built-in ones included. Errors: `PROJECT_NOT_FOUND`. */
export async function listAlertRules(deps: RuleDeps, projectName?: string): Promise<AlertRuleView[]> {
  const projects = await deps.store.projects.list();
  const chosen = projectName === undefined ? projects : projects.filter((p) => p.name === projectName);
  if (projectName !== undefined && chosen.length === 0) {
    throw new SlipwayError('PROJECT_NOT_FOUND', `project ${projectName} not found`);
  }
  const records: AlertRuleRecord[] = [];
  for (const project of chosen) {
    await ensureDefaultAlertRules(deps, project.id, (kind) => isAvailable(deps, kind));
    records.push(...(await deps.store.alerts.listRules(project.id)));
  }
  const names = await scopeNames(deps);
  return records.map((r) => toRuleView(r, names));
}

/** One rule's view. Errors: `ALERT_RULE_NOT_FOUND`. */
export async function getAlertRule(deps: Pick<CoreDeps, 'store'>, id: string): Promise<AlertRuleView> {
  const record = await deps.store.alerts.findRule(id);
  if (!record) throw new SlipwayError('ALERT_RULE_NOT_FOUND', `alert rule ${id} not found`);
  return toRuleView(record, await scopeNames(deps));
}

/**
 * Removes a rule, or turns a built-in one off (it stays listed, off, and is not made again). Its open alerts resolve
 * at the next pass, with a resolve message for a firing one. Errors: `ALERT_RULE_NOT_FOUND` (a built-in rule already
 * off too).
 */
export async function removeAlertRule(deps: Pick<CoreDeps, 'store'>, id: string): Promise<void> {
  const record = await deps.store.alerts.findRule(id);
  if (!record || !record.isEnabled) throw new SlipwayError('ALERT_RULE_NOT_FOUND', `alert rule ${id} not found`);
  if (record.defaultKind !== null) await deps.store.alerts.setRuleEnabled(id, false);
  else await deps.store.alerts.deleteRule(id);
}
