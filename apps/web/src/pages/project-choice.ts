/** The project the pages show: the one in the URL (`?project=`), else the last one chosen, else the first. */
import { useQuery } from '@tanstack/react-query';
import { useSearchParams } from 'react-router';
import { projectsQuery } from './apps-query.js';
import { rememberProject, wantedProject } from './wanted-project.js';

export function useProjectChoice(): {
  project: string;
  projects: readonly string[];
  choose: (name: string) => void;
} {
  const [params, setParams] = useSearchParams();
  const projects = (useQuery(projectsQuery).data?.projects ?? []).map((p) => p.name);
  const wanted = wantedProject(params);
  const project = projects.includes(wanted) ? wanted : (projects[0] ?? '');
  return {
    project,
    projects,
    choose: (name) => {
      rememberProject(name);
      setParams({ project: name });
    },
  };
}
