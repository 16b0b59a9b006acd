/**
 * The first page's answers, asked for all at once by the dashboard's first script, before the rest of the dashboard
 * is loaded: who is signed in, the projects, and (on the apps overview) the first page of the wanted project's apps.
 * Made by the pages one after the other, each would wait for the script, then for the one before it (the session
 * gates the pages; the project is chosen from the projects). Free of React and of the query cache, so that script
 * stays small; `seedFirstPage` hands the answers to the cache. With no session, each is refused (`401`) after one
 * refresh of the session is tried, and the sign-in page shows, as before.
 */
import type { ProjectView, WhoamiView } from '@slipway/contract';
import { api } from './api/app-api.js';
import { appsPageSize, fetchAppsPage, fetchProjects, type AppsPage, type AppsPageParams } from './pages/apps-page.js';
import { wantedProject } from './pages/wanted-project.js';

export interface FirstPageRequests {
  readonly whoami: Promise<WhoamiView>;
  readonly projects: Promise<{ projects: ProjectView[] }>;
  /** On the apps overview, when a project is asked for. */
  readonly appsPage: { readonly params: AppsPageParams; readonly answer: Promise<AppsPage> } | undefined;
}

/** Starts the requests; their failures are left to whoever takes the answers (none is reported unhandled). */
export function startFirstPageRequests(location: Location): FirstPageRequests {
  const whoami = handled(api.whoami());
  const projects = handled(fetchProjects());
  if (location.pathname !== '/') return { whoami, projects, appsPage: undefined };
  const project = wantedProject(new URLSearchParams(location.search));
  if (project === '') return { whoami, projects, appsPage: undefined };
  const params: AppsPageParams = { project, search: '', offset: 0, limit: appsPageSize };
  return { whoami, projects, appsPage: { params, answer: handled(fetchAppsPage(params)) } };
}

function handled<T>(answer: Promise<T>): Promise<T> {
  answer.catch(() => undefined);
  return answer;
}
