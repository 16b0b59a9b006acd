/** The apps pages and the projects the caller may see, as queries of the query cache (the calls: `apps-page.ts`). */
import { keepPreviousData, queryOptions } from '@tanstack/react-query';
import { fetchAppsPage, fetchProjects, type AppsPageParams } from './apps-page.js';

export type { AppsPage, AppsPageParams } from './apps-page.js';

export function appsPageQuery(params: AppsPageParams) {
  return queryOptions({
    queryKey: ['apps', params.project, params],
    queryFn: () => fetchAppsPage(params),
    enabled: params.project !== '',
    placeholderData: keepPreviousData,
  });
}

export const projectsQuery = queryOptions({
  queryKey: ['projects'],
  queryFn: fetchProjects,
  staleTime: 60_000,
});
