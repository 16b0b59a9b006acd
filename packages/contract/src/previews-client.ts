/** The previews part of the typed API client. */
import type { ApiTransport } from './api-transport.js';
import {
  listPreviewsResponseSchema,
  previewSchema,
  previewSettingsSchema,
  type EnablePreviewsBody,
  type PreviewSettingsView,
  type PreviewView,
} from './previews-api.js';

export interface PreviewsClient {
  previews: {
    /** GET /api/v1/apps/:app/previews */
    list(app: string): Promise<{ previews: PreviewView[] }>;
    /** GET /api/v1/apps/:app/previews/settings; 404 PREVIEW_NOT_FOUND when previews are off. */
    settings(app: string): Promise<PreviewSettingsView>;
    /** PUT /api/v1/apps/:app/previews/settings (admin) */
    enable(app: string, body: EnablePreviewsBody): Promise<PreviewSettingsView>;
    /** DELETE /api/v1/apps/:app/previews/settings (admin): every preview removed, then the settings. */
    disable(app: string): Promise<void>;
    /** POST /api/v1/apps/:app/previews/:number/approve (deployer): a fork's head commit may build. */
    approve(app: string, number: number): Promise<PreviewView>;
    /** DELETE /api/v1/apps/:app/previews/:number (deployer); idempotent. */
    remove(app: string, number: number): Promise<void>;
  };
}

export function createPreviewsClient({ call, send }: Pick<ApiTransport, 'call' | 'send'>): PreviewsClient {
  const base = (app: string): string => `/api/v1/apps/${encodeURIComponent(app)}/previews`;
  const noContent = async (method: 'DELETE', path: string): Promise<void> => {
    const response = await send({ method, path });
    await response.body?.cancel().catch(() => undefined);
  };
  return {
    previews: {
      list: (app) => call({ method: 'GET', path: base(app) }, listPreviewsResponseSchema),
      settings: (app) => call({ method: 'GET', path: `${base(app)}/settings` }, previewSettingsSchema),
      enable: (app, body) => call({ method: 'PUT', path: `${base(app)}/settings`, json: body }, previewSettingsSchema),
      disable: (app) => noContent('DELETE', `${base(app)}/settings`),
      approve: (app, number) =>
        call({ method: 'POST', path: `${base(app)}/${number}/approve`, json: {} }, previewSchema),
      remove: (app, number) => noContent('DELETE', `${base(app)}/${number}`),
    },
  };
}
