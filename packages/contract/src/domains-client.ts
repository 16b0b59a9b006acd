/** The custom-domains part of the typed API client. */
import type { ApiTransport, RequestSpec } from './api-transport.js';
import {
  domainSchema,
  listDomainsResponseSchema,
  type AddDomainBody,
  type DomainView,
  type SetDomainBody,
} from './domains-api.js';

export interface DomainsClient {
  domains: {
    /** GET /api/v1/apps/:app/domains (viewer) */
    list(app: string): Promise<{ domains: DomainView[] }>;
    /** POST /api/v1/apps/:app/domains (deployer) — claims the host for the app's project and orders a certificate. */
    add(app: string, body: AddDomainBody): Promise<DomainView>;
    /** PATCH /api/v1/apps/:app/domains/:domain (deployer) — changes its HTTPS redirect and HSTS. */
    set(app: string, domain: string, body: SetDomainBody): Promise<DomainView>;
    /** DELETE /api/v1/apps/:app/domains/:domain (deployer) */
    remove(app: string, domain: string): Promise<void>;
  };
}

export function createDomainsClient({ call, send }: Pick<ApiTransport, 'call' | 'send'>): DomainsClient {
  const noContent = async (spec: RequestSpec): Promise<void> => {
    const response = await send(spec);
    await response.body?.cancel().catch(() => undefined);
  };
  const base = (app: string) => `/api/v1/apps/${encodeURIComponent(app)}/domains`;
  return {
    domains: {
      list: (app) => call({ method: 'GET', path: base(app) }, listDomainsResponseSchema),
      add: (app, body) => call({ method: 'POST', path: base(app), json: body }, domainSchema),
      set: (app, domain, body) =>
        call({ method: 'PATCH', path: `${base(app)}/${encodeURIComponent(domain)}`, json: body }, domainSchema),
      remove: (app, domain) => noContent({ method: 'DELETE', path: `${base(app)}/${encodeURIComponent(domain)}` }),
    },
  };
}
