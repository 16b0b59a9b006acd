/**
 * The apps of a project, one page at a time, searched and paged by the server
 * (`GET /api/v1/projects/:project/apps`, docs/apps-overview.md); and the projects the caller may see. Only the calls,
 * with no React and no query cache: the dashboard's first script makes them too (`first-page-requests.ts`).
 */
import type { AppOverviewRow, ProjectView } from '@slipway/contract';
import { callJson } from '../api/web-api.js';

/** The apps overview's page size. */
export const appsPageSize = 50;

export interface AppsPage {
  readonly project: string;
  readonly environment: string;
  readonly total: number;
  readonly offset: number;
  readonly limit: number;
  readonly apps: readonly AppOverviewRow[];
}

export interface AppsPageParams {
  readonly project: string;
  readonly search: string;
  readonly offset: number;
  readonly limit: number;
}

export function fetchAppsPage(params: AppsPageParams): Promise<AppsPage> {
  const query = new URLSearchParams({ offset: String(params.offset), limit: String(params.limit) });
  if (params.search !== '') query.set('search', params.search.slice(0, 63));
  return callJson<AppsPage>('GET', `/api/v1/projects/${encodeURIComponent(params.project)}/apps?${query}`);
}

export function fetchProjects(): Promise<{ projects: ProjectView[] }> {
  return callJson<{ projects: ProjectView[] }>('GET', '/api/v1/projects');
}
