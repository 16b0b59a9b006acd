/**
 * The project the pages show: the one in the URL (`?project=`), else the last one chosen, else the first. With no
 * project at all yet, `hasNoProject`: the first app made goes in project `default`, as the CLI's does.
 */
import { useQuery } from '@tanstack/react-query';
import { useSearchParams } from 'react-router';
import { projectsQuery } from './apps-query.js';
import { rememberProject, wantedProject } from './wanted-project.js';

export function useProjectChoice(): {
  project: string;
  projects: readonly string[];
  hasNoProject: boolean;
  choose: (name: string) => void;
} {
  const [params, setParams] = useSearchParams();
  const answer = useQuery(projectsQuery);
  const projects = (answer.data?.projects ?? []).map((p) => p.name);
  const wanted = wantedProject(params);
  const project = projects.includes(wanted) ? wanted : (projects[0] ?? '');
  return {
    project,
    projects,
    hasNoProject: answer.isSuccess && projects.length === 0,
    choose: (name) => {
      rememberProject(name);
      setParams({ project: name });
    },
  };
}
