/** The deployment page's calls: one deployment, and cancelling it. */
import type { DeploymentView } from '@slipway/contract';
import { callJson } from './web-api.js';

const deploymentPath = (id: string, rest = ''): string => `/api/v1/deployments/${encodeURIComponent(id)}${rest}`;

export const deploymentApi = {
  deployment: (id: string) => callJson<DeploymentView>('GET', deploymentPath(id)),
  cancel: (id: string) => callJson<DeploymentView>('POST', deploymentPath(id, '/cancel')),
};
