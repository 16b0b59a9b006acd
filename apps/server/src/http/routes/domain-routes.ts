/** Custom domains of an app: list them with their certificates' state, add one, remove one. */
import {
  addDomainBodySchema,
  appParamsSchema,
  domainParamsSchema,
  domainSchema,
  listDomainsResponseSchema,
  setDomainBodySchema,
} from '@slipway/contract';
import { addDomain, listDomains, removeDomain, setDomainHttps, type DomainServing } from '@slipway/core';
import { onApp } from '../auth/route-permissions.js';
import { noContent, routeFor, type RouteGroup } from '../route-declaration.js';
import type { RouteContext } from '../server-context.js';

const route = routeFor<RouteContext>();

/** Without a certificate manager (a bare test context): the default renewal point, and nothing ordered or served. */
const servingOf = (context: RouteContext): DomainServing =>
  context.domains?.serving ?? { renewAtFraction: 2 / 3, isOrdering: false, isServingTls: false, challenge: 'http-01' };

/** The router serves the domain's route (or stops) at once; the certificate manager orders (or drops) its certificate. */
async function afterChange(context: RouteContext): Promise<void> {
  await context.fleet.router.sync(true);
  context.domains?.poke();
}

export const domainRoutes: RouteGroup<RouteContext> = {
  name: 'domain-routes',
  routes: [
    route({
      method: 'GET',
      url: '/api/v1/apps/:app/domains',
      summary: "An app's custom domains: verification, certificate state, expiry, renewal time and last error",
      permission: { action: 'domains.list', access: onApp('viewer') },
      schema: { params: appParamsSchema, response: { 200: listDomainsResponseSchema } },
      handler: async (request, _reply, context) => ({
        domains: await listDomains(context.deps, request.params.app, servingOf(context)),
      }),
    }),
    route({
      method: 'POST',
      url: '/api/v1/apps/:app/domains',
      summary:
        "Add a custom domain: the app's project claims the host (409 HOST_TAKEN when another holds it) and a certificate is ordered",
      permission: { action: 'domains.add', access: onApp('deployer') },
      schema: { params: appParamsSchema, body: addDomainBodySchema, response: { 201: domainSchema } },
      handler: async (request, reply, context) => {
        const view = await addDomain(
          context.deps,
          {
            app: request.params.app,
            environment: request.body.environment,
            domain: request.body.domain,
            httpsRedirect: request.body.httpsRedirect,
            hstsMaxAgeSeconds: request.body.hstsMaxAgeSeconds,
          },
          servingOf(context),
        );
        await afterChange(context);
        return reply.status(201).send(view);
      },
    }),
    route({
      method: 'PATCH',
      url: '/api/v1/apps/:app/domains/:domain',
      summary: "Change a custom domain's HTTPS redirect (on, off, the server's default) and HSTS max-age",
      permission: { action: 'domains.set', access: onApp('deployer') },
      schema: { params: domainParamsSchema, body: setDomainBodySchema, response: { 200: domainSchema } },
      handler: async (request, _reply, context) => {
        const view = await setDomainHttps(
          context.deps,
          { app: request.params.app, domain: request.params.domain, ...request.body },
          servingOf(context),
        );
        await afterChange(context);
        return view;
      },
    }),
    route({
      method: 'DELETE',
      url: '/api/v1/apps/:app/domains/:domain',
      summary: 'Remove a custom domain: its route and certificate go; the host stays the project’s',
      permission: { action: 'domains.remove', access: onApp('deployer') },
      schema: { params: domainParamsSchema, response: { 204: noContent } },
      handler: async (request, reply, context) => {
        await removeDomain(context.deps, { app: request.params.app, domain: request.params.domain });
        await afterChange(context);
        return reply.status(204).send();
      },
    }),
  ],
};
