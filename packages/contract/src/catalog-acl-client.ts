/** The catalog ACL part of the typed API client (admins). */
import type { ApiTransport } from './api-transport.js';
import {
  catalogAclRuleSchema,
  listCatalogAclRulesResponseSchema,
  type CatalogAclRuleView,
  type PutCatalogAclRuleBody,
} from './catalog-acl-api.js';

export interface CatalogAclClient {
  catalogAcl: {
    /** GET /api/v1/catalog/acl/rules (admin) */
    listRules(): Promise<{ rules: CatalogAclRuleView[] }>;
    /** PUT /api/v1/catalog/acl/rules (admin): grants, or replaces the subject's policy on that prefix. */
    putRule(body: PutCatalogAclRuleBody): Promise<CatalogAclRuleView>;
    /** DELETE /api/v1/catalog/acl/rules/:rule (admin) */
    revokeRule(id: string): Promise<void>;
  };
}

export function createCatalogAclClient({ call, send }: Pick<ApiTransport, 'call' | 'send'>): CatalogAclClient {
  return {
    catalogAcl: {
      listRules: () => call({ method: 'GET', path: '/api/v1/catalog/acl/rules' }, listCatalogAclRulesResponseSchema),
      putRule: (body) => call({ method: 'PUT', path: '/api/v1/catalog/acl/rules', json: body }, catalogAclRuleSchema),
      revokeRule: async (id) => {
        const response = await send({ method: 'DELETE', path: `/api/v1/catalog/acl/rules/${encodeURIComponent(id)}` });
        await response.body?.cancel().catch(() => undefined);
      },
    },
  };
}
