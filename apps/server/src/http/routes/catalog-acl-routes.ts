/** Catalog ACL rules (admins): list, grant or replace, revoke. Each change is audited with the rule it touched. */
import {
  catalogAclRuleParamsSchema,
  catalogAclRuleSchema,
  listCatalogAclRulesResponseSchema,
  putCatalogAclRuleBodySchema,
} from '@slipway/contract';
import { listCatalogAclRules, putCatalogAclRule, revokeCatalogAclRule } from '@slipway/core';
import { requirePrincipal } from '../auth/request-principal.js';
import { globally } from '../auth/route-permissions.js';
import { noContent, routeFor, type RouteGroup } from '../route-declaration.js';
import type { RouteContext } from '../server-context.js';

const route = routeFor<RouteContext>();

export const catalogAclRoutes: RouteGroup<RouteContext> = {
  name: 'catalog-acl-routes',
  routes: [
    route({
      method: 'GET',
      url: '/api/v1/catalog/acl/rules',
      summary: 'Catalog ACL rules: who may read, write or is denied which KV prefixes and services',
      permission: { action: 'catalog.acl.list', access: globally('admin') },
      schema: { response: { 200: listCatalogAclRulesResponseSchema } },
      handler: async (_request, _reply, { identity }) => ({ rules: await listCatalogAclRules(identity) }),
    }),
    route({
      method: 'PUT',
      url: '/api/v1/catalog/acl/rules',
      summary:
        "Grant a user or an API token read, write or deny on a KV or service prefix; replaces the subject's rule there",
      permission: { action: 'catalog.acl.grant', access: globally('admin') },
      schema: { body: putCatalogAclRuleBodySchema, response: { 200: catalogAclRuleSchema } },
      handler: async (request, _reply, { identity }) =>
        putCatalogAclRule(identity, requirePrincipal(request), request.body),
    }),
    route({
      method: 'DELETE',
      url: '/api/v1/catalog/acl/rules/:rule',
      summary: 'Revoke a catalog ACL rule; its subject loses what it gave at its next request',
      permission: { action: 'catalog.acl.revoke', access: globally('admin') },
      schema: { params: catalogAclRuleParamsSchema, response: { 204: noContent } },
      handler: async (request, reply, { identity }) => {
        await revokeCatalogAclRule(identity, requirePrincipal(request), request.params.rule);
        return reply.status(204).send();
      },
    }),
  ],
};
