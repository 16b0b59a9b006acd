/**
 * The apps of a project, one page at a time, searched and paged by the server
 * (`GET /api/v1/projects/:project/apps`, docs/apps-overview.md); and the projects the caller may see.
 */
import { keepPreviousData, queryOptions } from '@tanstack/react-query';
import type { AppOverviewRow, ProjectView } from '@slipway/contract';
import { callJson } from '../api/web-api.js';

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

export function appsPageQuery(params: AppsPageParams) {
  const query = new URLSearchParams({ offset: String(params.offset), limit: String(params.limit) });
  if (params.search !== '') query.set('search', params.search.slice(0, 63));
  return queryOptions({
    queryKey: ['apps', params.project, params],
    queryFn: () => callJson<AppsPage>('GET', `/api/v1/projects/${encodeURIComponent(params.project)}/apps?${query}`),
    enabled: params.project !== '',
    placeholderData: keepPreviousData,
  });
}

export const projectsQuery = queryOptions({
  queryKey: ['projects'],
  queryFn: () => callJson<{ projects: ProjectView[] }>('GET', '/api/v1/projects'),
  staleTime: 60_000,
});
