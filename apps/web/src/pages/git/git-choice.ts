/**
 * What the Git page shows, kept in its URL (`/git?project=&view=&app=&repository=`): paths under `/git/` are
 * slipwayd's own git server, so the page's sections are a query parameter, not a path.
 */
import { useQuery } from '@tanstack/react-query';
import { useSearchParams } from 'react-router';
import { appsPageQuery } from '../apps-query.js';
import { useProjectChoice } from '../project-choice.js';

export const gitViews = ['repositories', 'rules', 'previews'] as const;
export type GitView = (typeof gitViews)[number];

export interface GitChoice {
  readonly project: string;
  readonly projects: readonly string[];
  readonly view: GitView;
  /** The chosen app of the project (the first when none is named); '' when the project has none. */
  readonly app: string;
  readonly apps: readonly string[];
  readonly isAppsLoaded: boolean;
  /** The repository whose rules are shown (from a repository's "Rules" link); '' for every one. */
  readonly repository: string;
  choose(next: Partial<Record<'project' | 'view' | 'app' | 'repository', string>>): void;
}

/** The Git page's link to a view of a project (and an app or a repository). */
export function gitHref(params: Partial<Record<'project' | 'view' | 'app' | 'repository', string>>): string {
  const query = new URLSearchParams(Object.entries(params).filter(([, value]) => value !== undefined && value !== ''));
  return `/git?${query.toString()}`;
}

export function useGitChoice(): GitChoice {
  const { project, projects } = useProjectChoice();
  const [params, setParams] = useSearchParams();
  // The first 100 apps, as the Rollouts page offers: a project's git apps are picked from them.
  const apps = useQuery(appsPageQuery({ project, search: '', offset: 0, limit: 100 }));
  const names = (apps.data?.apps ?? []).map((row) => row.name);
  const wantedApp = params.get('app') ?? '';
  const app = names.includes(wantedApp) ? wantedApp : (names[0] ?? '');
  const view = gitViews.find((v) => v === params.get('view')) ?? 'repositories';
  const repository = params.get('repository') ?? '';
  return {
    project,
    projects,
    view,
    app,
    apps: names,
    isAppsLoaded: apps.isSuccess,
    repository,
    choose: (next) => {
      const merged = { project, view, app, repository, ...next };
      if (next.project !== undefined && next.project !== project) {
        localStorage.setItem('slipway-project', next.project);
        merged.app = '';
        merged.repository = '';
      }
      setParams(Object.fromEntries(Object.entries(merged).filter(([, value]) => value !== '')));
    },
  };
}
