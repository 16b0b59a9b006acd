/** The apps list, one page at a time, searched and paged by the server (`GET /api/v1/apps?search&page&pageSize`). */
import { keepPreviousData, queryOptions } from '@tanstack/react-query';
import type { AppView } from '@slipway/contract';
import { callJson } from '../api/web-api.js';

export interface AppSummary extends AppView {
  readonly status?: string;
  readonly statusObservedAt?: string | null;
  readonly lastDeployment?: {
    readonly id: string;
    readonly state: string;
    readonly kind: string;
    readonly createdAt: string;
    readonly finishedAt: string | null;
  } | null;
}

export interface AppsPage {
  readonly apps: readonly AppSummary[];
  readonly total: number;
  readonly page: number;
  readonly pageSize: number;
}

export interface AppsPageParams {
  readonly search: string;
  readonly page: number;
  readonly pageSize: number;
  readonly project?: string | undefined;
}

export function appsPageQuery(params: AppsPageParams) {
  const query = new URLSearchParams({ page: String(params.page), pageSize: String(params.pageSize) });
  if (params.search !== '') query.set('search', params.search);
  if (params.project !== undefined) query.set('project', params.project);
  return queryOptions({
    queryKey: ['apps', params],
    queryFn: async () => {
      const answer = await callJson<Partial<AppsPage> & { apps: AppSummary[] }>('GET', `/api/v1/apps?${query}`);
      return {
        apps: answer.apps,
        total: answer.total ?? answer.apps.length,
        page: answer.page ?? params.page,
        pageSize: answer.pageSize ?? params.pageSize,
      } satisfies AppsPage;
    },
    placeholderData: keepPreviousData,
  });
}
