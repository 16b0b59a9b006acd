/** The git repositories part of the typed API client. */
import type { ApiTransport } from './api-transport.js';
import {
  listRepositoriesResponseSchema,
  repositorySchema,
  type AddRepositoryBody,
  type RepositoryView,
  type SetRepositoryCredentialsBody,
} from './repositories-api.js';

export interface RepositoriesClient {
  repositories: {
    /** GET /api/v1/projects/:project/repositories */
    list(project: string): Promise<{ repositories: RepositoryView[] }>;
    /** POST /api/v1/projects/:project/repositories (admin); the answer shows a generated deploy key's public half. */
    add(project: string, body: AddRepositoryBody): Promise<RepositoryView>;
    /** GET /api/v1/projects/:project/repositories/:repository (name or id) */
    show(project: string, repository: string): Promise<RepositoryView>;
    /**
     * PUT /api/v1/projects/:project/repositories/:repository/credentials (admin): a new token, a newly generated deploy
     * key (its public half in the answer) or none; the old credential is gone at once.
     */
    setCredentials(project: string, repository: string, body: SetRepositoryCredentialsBody): Promise<RepositoryView>;
    /** DELETE /api/v1/projects/:project/repositories/:repository (admin); removes its mirror too. */
    remove(project: string, repository: string): Promise<void>;
  };
}

export function createRepositoriesClient({ call, send }: Pick<ApiTransport, 'call' | 'send'>): RepositoriesClient {
  const base = (project: string): string => `/api/v1/projects/${encodeURIComponent(project)}/repositories`;
  const one = (project: string, repository: string): string => `${base(project)}/${encodeURIComponent(repository)}`;
  return {
    repositories: {
      list: (project) => call({ method: 'GET', path: base(project) }, listRepositoriesResponseSchema),
      add: (project, body) => call({ method: 'POST', path: base(project), json: body }, repositorySchema),
      show: (project, repository) => call({ method: 'GET', path: one(project, repository) }, repositorySchema),
      setCredentials: (project, repository, body) =>
        call({ method: 'PUT', path: `${one(project, repository)}/credentials`, json: body }, repositorySchema),
      remove: async (project, repository) => {
        const response = await send({ method: 'DELETE', path: one(project, repository) });
        await response.body?.cancel().catch(() => undefined);
      },
    },
  };
}
