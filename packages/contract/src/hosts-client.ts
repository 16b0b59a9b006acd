/** The host-claims part of the typed API client. */
import type { ApiTransport, RequestSpec } from './api-transport.js';
import { hostClaimSchema, listHostsResponseSchema, type GrantHostBody, type HostClaimView } from './hosts-api.js';

export interface HostsClient {
  hosts: {
    /** GET /api/v1/hosts (admin or owner) */
    list(): Promise<{ hosts: HostClaimView[] }>;
    /** POST /api/v1/hosts (admin or owner) — gives an unclaimed host (or wildcard) to a project. */
    grant(body: GrantHostBody): Promise<HostClaimView>;
    /** DELETE /api/v1/hosts/:host (admin or owner) — frees a host no route uses. */
    revoke(host: string): Promise<void>;
  };
}

export function createHostsClient({ call, send }: Pick<ApiTransport, 'call' | 'send'>): HostsClient {
  const noContent = async (spec: RequestSpec): Promise<void> => {
    const response = await send(spec);
    await response.body?.cancel().catch(() => undefined);
  };
  return {
    hosts: {
      list: () => call({ method: 'GET', path: '/api/v1/hosts' }, listHostsResponseSchema),
      grant: (body) => call({ method: 'POST', path: '/api/v1/hosts', json: body }, hostClaimSchema),
      revoke: (host) => noContent({ method: 'DELETE', path: `/api/v1/hosts/${encodeURIComponent(host)}` }),
    },
  };
}
