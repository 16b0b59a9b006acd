/**
 * Puts the first page's answers (`first-page-requests.ts`) in the query cache under the keys the pages read, so the
 * pages find them there instead of asking again. A failed one is asked again as its query's own retries say.
 */
import type { QueryClient } from '@tanstack/react-query';
import type { FirstPageRequests } from './first-page-requests.js';
import { fetchAppsPage, fetchProjects } from './pages/apps-page.js';
import { appsPageQuery, projectsQuery } from './pages/apps-query.js';
import { api } from './api/app-api.js';
import { whoamiQuery } from './session/session.js';

export function seedFirstPage(queryClient: QueryClient, requests: FirstPageRequests): void {
  void queryClient.prefetchQuery({ ...whoamiQuery, queryFn: firstThen(requests.whoami, () => api.whoami()) });
  void queryClient.prefetchQuery({ ...projectsQuery, queryFn: firstThen(requests.projects, fetchProjects) });
  const appsPage = requests.appsPage;
  if (appsPage === undefined) return;
  void queryClient.prefetchQuery({
    ...appsPageQuery(appsPage.params),
    queryFn: firstThen(appsPage.answer, () => fetchAppsPage(appsPage.params)),
  });
}

/** A query function whose first call takes the answer already asked for, and whose later calls (retries) ask again. */
function firstThen<T>(early: Promise<T>, again: () => Promise<T>): () => Promise<T> {
  let first: Promise<T> | undefined = early;
  return () => {
    const answer = first ?? again();
    first = undefined;
    return answer;
  };
}
