/** The app page's calls (GET/POST on `/api/v1/apps/:app/...`), typed with the contract's answers. */
import type { AppView, DeploymentView, InstanceView, ReleaseView, WhoamiView } from '@slipway/contract';
import { appPath, callJson } from './web-api.js';

export const api = {
  whoami: () => callJson<WhoamiView>('GET', '/api/v1/auth/whoami'),
  app: (app: string) => callJson<AppView>('GET', appPath(app)),
  instances: (app: string) => callJson<{ instances: InstanceView[] }>('GET', appPath(app, '/instances')),
  releases: (app: string) => callJson<{ releases: ReleaseView[] }>('GET', appPath(app, '/releases')),
  rollback: (app: string, toRelease: number) =>
    callJson<{ deployment: DeploymentView }>('POST', appPath(app, '/rollback'), { toRelease }),
  deployments: (app: string, limit = 50) =>
    callJson<{ deployments: DeploymentView[] }>('GET', appPath(app, `/deployments?limit=${limit}`)),
};
