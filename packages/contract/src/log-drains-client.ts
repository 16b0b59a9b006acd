/** The log-drains part of the typed API client. */
import type { ApiTransport, RequestSpec } from './api-transport.js';
import {
  listLogDrainsResponseSchema,
  logDrainSchema,
  type AddLogDrainBody,
  type LogDrainView,
} from './log-drains-api.js';

export interface LogDrainsClient {
  logDrains: {
    /** GET /api/v1/apps/:app/log-drains (viewer) */
    list(app: string): Promise<{ drains: LogDrainView[] }>;
    /** POST /api/v1/apps/:app/log-drains (deployer) */
    add(app: string, body: AddLogDrainBody): Promise<LogDrainView>;
    /** DELETE /api/v1/apps/:app/log-drains/:id (deployer) */
    remove(app: string, id: string): Promise<void>;
    /** The same for a project's drains (each ships every app of the project): /api/v1/projects/:project/log-drains */
    project: {
      list(project: string): Promise<{ drains: LogDrainView[] }>;
      add(project: string, body: AddLogDrainBody): Promise<LogDrainView>;
      remove(project: string, id: string): Promise<void>;
    };
  };
}

export function createLogDrainsClient({ call, send }: Pick<ApiTransport, 'call' | 'send'>): LogDrainsClient {
  const noContent = async (spec: RequestSpec): Promise<void> => {
    const response = await send(spec);
    await response.body?.cancel().catch(() => undefined);
  };
  const base = (app: string) => `/api/v1/apps/${encodeURIComponent(app)}/log-drains`;
  const projectBase = (project: string) => `/api/v1/projects/${encodeURIComponent(project)}/log-drains`;
  return {
    logDrains: {
      list: (app) => call({ method: 'GET', path: base(app) }, listLogDrainsResponseSchema),
      add: (app, body) => call({ method: 'POST', path: base(app), json: body }, logDrainSchema),
      remove: (app, id) => noContent({ method: 'DELETE', path: `${base(app)}/${encodeURIComponent(id)}` }),
      project: {
        list: (project) => call({ method: 'GET', path: projectBase(project) }, listLogDrainsResponseSchema),
        add: (project, body) => call({ method: 'POST', path: projectBase(project), json: body }, logDrainSchema),
        remove: (project, id) =>
          noContent({ method: 'DELETE', path: `${projectBase(project)}/${encodeURIComponent(id)}` }),
      },
    },
  };
}
