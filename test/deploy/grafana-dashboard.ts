/** Reads the Grafana dashboard of `deploy/grafana/` and the metric names its expressions use. */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';

export const dashboardPath = join(import.meta.dirname, '..', '..', 'deploy', 'grafana', 'slipway-dashboard.json');

export interface DashboardTarget {
  refId?: unknown;
  expr?: unknown;
}

export interface DashboardPanel {
  id?: unknown;
  type?: unknown;
  title?: unknown;
  gridPos?: { x: number; y: number; w: number; h: number };
  targets?: DashboardTarget[];
}

export interface Dashboard {
  uid?: unknown;
  title?: unknown;
  schemaVersion?: unknown;
  panels?: DashboardPanel[];
  templating?: { list?: { name?: unknown; query?: unknown; definition?: unknown }[] };
}

export function readDashboard(): Dashboard {
  return JSON.parse(readFileSync(dashboardPath, 'utf8')) as Dashboard;
}

/** Every PromQL expression of the dashboard: its panels' targets and its query variables. */
export function dashboardExpressions(dashboard: Dashboard): string[] {
  const targets = (dashboard.panels ?? []).flatMap((panel) => panel.targets ?? []).map((target) => target.expr);
  const variables = (dashboard.templating?.list ?? []).map((variable) => variable.definition);
  return [...targets, ...variables].filter((expr): expr is string => typeof expr === 'string');
}

const histogramSuffix = /_(bucket|sum|count)$/;

/**
 * The metric names an expression reads (Slipway's `slipway_*`, the API's `http_server_*`, and the process's own
 * `process_*` and `nodejs_*`), a histogram's series named by their family.
 */
export function metricNamesOf(expr: string): string[] {
  const names = expr.match(/\b(slipway|http_server|process|nodejs)_[a-zA-Z0-9_]+/g) ?? [];
  return [...new Set(names.map((name) => (name.endsWith('_total') ? name : name.replace(histogramSuffix, ''))))];
}
