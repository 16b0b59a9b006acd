/**
 * The calls that change an app: create it, deploy it (a JSON source or an uploaded archive), its scale, config,
 * secrets (names, versions and times only: a value is sent, never read), domains and environments.
 */
import type {
  ApprovalPolicyView,
  AppView,
  DeploymentView,
  DomainView,
  EnvironmentView,
  SecretView,
} from '@slipway/contract';
import { appPath, callJson, sessionFetch } from './web-api.js';
import { SlipwayError } from '@slipway/contract/errors';

/** A deployment source the page can send as JSON. */
export type JsonSource = { readonly git: { url: string; ref?: string } } | { readonly path: string };

export interface StartedDeployment {
  readonly deployment: DeploymentView;
}

export interface ConfigAnswer {
  readonly config: Record<string, string>;
  readonly release: number | null;
  readonly pendingKeys: string[];
  readonly deploymentId: string | null;
  readonly isChanged?: boolean;
}

export interface SecretsAnswer {
  readonly secrets: SecretView[];
  readonly deploymentId?: string | null;
  readonly isChanged?: boolean;
}

const domainsPath = (app: string, domain?: string): string =>
  appPath(app, `/domains${domain === undefined ? '' : `/${encodeURIComponent(domain)}`}`);

/** Sends a .tar.gz as the request body (the route tells an archive from JSON by its media type). */
async function uploadArchive(app: string, file: File): Promise<StartedDeployment> {
  const query = new URLSearchParams({ fileName: file.name.replace(/[/\\]/g, '_') || 'upload.tar.gz' });
  const response = await sessionFetch(appPath(app, `/deployments?${query.toString()}`), {
    method: 'POST',
    headers: { 'content-type': 'application/gzip' },
    body: file,
  });
  const text = await response.text();
  const body = (text === '' ? undefined : JSON.parse(text)) as
    StartedDeployment | { error?: { code?: string; message?: string; details?: Record<string, unknown> } } | undefined;
  if (response.ok) return body as StartedDeployment;
  const error = (body as { error?: { code?: string; message?: string; details?: Record<string, unknown> } })?.error;
  throw new SlipwayError(
    (error?.code ?? 'INTERNAL') as SlipwayError['code'],
    error?.message ?? `the upload failed (${response.status})`,
    error?.details === undefined ? {} : { details: error.details },
  );
}

export const settingsApi = {
  createApp: (name: string, project: string) => callJson<AppView>('POST', '/api/v1/apps', { name, project }),
  deploy: (app: string, source: JsonSource) =>
    callJson<StartedDeployment>('POST', appPath(app, '/deployments'), source),
  uploadArchive,
  scale: (app: string, processes: Record<string, number>) =>
    callJson<{ processes: Record<string, number> }>('PUT', appPath(app, '/scale'), { processes }),
  config: (app: string) => callJson<ConfigAnswer>('GET', appPath(app, '/config')),
  patchConfig: (app: string, set: Record<string, string>, unset: string[]) =>
    callJson<ConfigAnswer>('PATCH', appPath(app, '/config'), { set, unset }),
  secrets: (app: string) => callJson<SecretsAnswer>('GET', appPath(app, '/secrets')),
  setSecret: (app: string, name: string, value: string) =>
    callJson<SecretsAnswer>('PUT', appPath(app, `/secrets/${encodeURIComponent(name)}`), { value }),
  unsetSecret: (app: string, name: string) =>
    callJson<SecretsAnswer>('DELETE', appPath(app, `/secrets/${encodeURIComponent(name)}`)),
  domains: (app: string) => callJson<{ domains: DomainView[] }>('GET', domainsPath(app)),
  addDomain: (app: string, domain: string) => callJson<DomainView>('POST', domainsPath(app), { domain }),
  removeDomain: (app: string, domain: string) => callJson<undefined>('DELETE', domainsPath(app, domain)),
  environments: (app: string) => callJson<{ environments: EnvironmentView[] }>('GET', appPath(app, '/environments')),
  approvalPolicy: (app: string, environment: string) =>
    callJson<ApprovalPolicyView>(
      'GET',
      appPath(app, `/environments/${encodeURIComponent(environment)}/approval-policy`),
    ),
};
