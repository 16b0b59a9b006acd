/** The autoscaler part of the typed API client. */
import type { ApiTransport } from './api-transport.js';
import { autoscaleStatusSchema, type AutoscaleStatus } from './autoscale-api.js';

export interface AutoscaleClient {
  autoscale: {
    /** GET /api/v1/apps/:app/autoscale — settings, count and recent decisions of each autoscaled process type. */
    status(
      app: string,
      options?: { environment?: string | undefined; limit?: number | undefined },
    ): Promise<AutoscaleStatus>;
  };
}

export function createAutoscaleClient({ call }: Pick<ApiTransport, 'call'>): AutoscaleClient {
  return {
    autoscale: {
      status: (app, o) =>
        call(
          {
            method: 'GET',
            path: `/api/v1/apps/${encodeURIComponent(app)}/autoscale`,
            query: { environment: o?.environment, limit: o?.limit },
          },
          autoscaleStatusSchema,
        ),
    },
  };
}
