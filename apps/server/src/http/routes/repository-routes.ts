/**
 * A project's git repositories: add (admin; the answer shows a generated deploy key's public half), list and show
 * (viewer), replace the credentials (admin), remove (admin). No answer ever holds a token or a private key.
 */
import {
  addRepositoryBodySchema,
  listRepositoriesResponseSchema,
  repositoryParamsSchema,
  repositoryProjectParamsSchema,
  repositorySchema,
  setRepositoryCredentialsBodySchema,
} from '@slipway/contract';
import {
  addRepository,
  listRepositories,
  removeRepository,
  setRepositoryCredentials,
  showRepository,
} from '@slipway/core';
import { onProject } from '../auth/route-permissions.js';
import { noContent, routeFor, type RouteGroup } from '../route-declaration.js';
import type { RouteContext } from '../server-context.js';

const route = routeFor<RouteContext>();
const basePath = '/api/v1/projects/:project/repositories';

export const repositoryRoutes: RouteGroup<RouteContext> = {
  name: 'repository-routes',
  routes: [
    route({
      method: 'GET',
      url: basePath,
      summary: "The project's git repositories (URLs without credentials, deploy keys' public halves)",
      permission: { action: 'repositories.list', access: onProject('viewer') },
      schema: { params: repositoryProjectParamsSchema, response: { 200: listRepositoriesResponseSchema } },
      handler: async ({ params }, _reply, { deps }) => ({ repositories: await listRepositories(deps, params.project) }),
    }),
    route({
      method: 'POST',
      url: basePath,
      summary: 'Add a repository: a deploy key is generated (public half in the answer) or a token sealed',
      permission: { action: 'repositories.create', access: onProject('admin') },
      schema: {
        params: repositoryProjectParamsSchema,
        body: addRepositoryBodySchema,
        response: { 201: repositorySchema },
      },
      handler: async ({ params, body }, reply, { deps }) =>
        reply.status(201).send(await addRepository(deps, params.project, body)),
    }),
    route({
      method: 'GET',
      url: `${basePath}/:repository`,
      summary: 'One repository, by name or id',
      permission: { action: 'repositories.show', access: onProject('viewer') },
      schema: { params: repositoryParamsSchema, response: { 200: repositorySchema } },
      handler: async ({ params }, _reply, { deps }) => showRepository(deps, params.project, params.repository),
    }),
    route({
      method: 'PUT',
      url: `${basePath}/:repository/credentials`,
      summary: "Replace a repository's credentials: a new token, a newly generated deploy key, or none",
      permission: { action: 'repositories.credentials', access: onProject('admin') },
      schema: {
        params: repositoryParamsSchema,
        body: setRepositoryCredentialsBodySchema,
        response: { 200: repositorySchema },
      },
      handler: async ({ params, body }, _reply, { deps }) =>
        setRepositoryCredentials(deps, params.project, params.repository, body.auth),
    }),
    route({
      method: 'DELETE',
      url: `${basePath}/:repository`,
      summary: 'Remove a repository, its sealed credential and its mirror',
      permission: { action: 'repositories.delete', access: onProject('admin') },
      schema: { params: repositoryParamsSchema, response: { 204: noContent } },
      handler: async ({ params }, reply, { deps }) => {
        await removeRepository(deps, params.project, params.repository);
        return reply.status(204).send();
      },
    }),
  ],
};
