/**
 * A project's repository, seen from its webhook: make or rotate its secret (shown once, with the URL path to paste
 * into the provider's settings) and list the deliveries its inbox holds.
 */
import { SlipwayError, type WebhookDeliveryView, type WebhookSecretView } from '@slipway/contract';
import type { CoreDeps } from '../../core-deps.js';
import type { WebhookDeliveryRecord } from '../../ports/git-webhook-repository.js';
import { gitProviders, type GitProvider } from '../git-event.js';
import type { GitRepositoryRecord } from '../git-repository-records.js';
import { getProjectRepository } from '../../use-cases/git-repositories.js';
import { providerDeliveryKey } from './webhook-delivery.js';
import { rotateWebhookSecret } from './webhook-secrets.js';

type WebhookAdminDeps = Pick<CoreDeps, 'store' | 'secretCipher' | 'ids' | 'clock'>;

/** The grace of the previous secret when none is asked for. */
export const defaultWebhookGraceMs = 24 * 3_600_000;

const iso = (ms: number): string => new Date(ms).toISOString();

async function findRepository(
  deps: WebhookAdminDeps,
  projectName: string,
  nameOrId: string,
): Promise<GitRepositoryRecord> {
  const project = await deps.store.projects.findByName(projectName);
  if (project === undefined) {
    throw new SlipwayError('PROJECT_NOT_FOUND', `no project named "${projectName}"`, {
      details: { project: projectName },
    });
  }
  return getProjectRepository(deps.store, project, nameOrId);
}

/** The webhook URL path of a repository: `/api/v1/hooks/<provider>/<repository id>`. */
export function webhookPath(provider: GitProvider, repositoryId: string): string {
  return `/api/v1/hooks/${provider}/${repositoryId}`;
}

function webhookProviderOf(repository: GitRepositoryRecord): GitProvider {
  const provider = gitProviders.find((name) => name === repository.provider);
  if (provider === undefined) {
    const what =
      repository.provider === 'hosted'
        ? 'slipwayd serves it itself, and a git push to it deploys without a webhook'
        : `to receive a host's webhooks, add it again naming its host (slipway repos remove ${repository.name}, then slipway repos add ${repository.name} <url> --provider github|gitlab|gitea|bitbucket)`;
    throw new SlipwayError(
      'VALIDATION_FAILED',
      `repository ${repository.name} is a ${repository.provider} repository: webhooks come from github, gitlab, gitea or bitbucket; ${what}`,
    );
  }
  return provider;
}

/**
 * Makes the repository's webhook secret, or rotates it keeping the previous one valid for `graceMs`. Errors:
 * `PROJECT_NOT_FOUND`, `REPOSITORY_NOT_FOUND`, `VALIDATION_FAILED` (a repository no webhook comes from).
 */
export async function rotateRepositoryWebhook(
  deps: WebhookAdminDeps,
  projectName: string,
  nameOrId: string,
  graceMs: number,
): Promise<WebhookSecretView> {
  const repository = await findRepository(deps, projectName, nameOrId);
  const provider = webhookProviderOf(repository);
  const rotated = await rotateWebhookSecret(deps, repository, graceMs);
  return {
    secret: rotated.secret,
    version: rotated.version,
    previousValidUntil: rotated.previousValidUntilMs === null ? null : iso(rotated.previousValidUntilMs),
    path: webhookPath(provider, repository.id),
    provider,
  };
}

export function webhookDeliveryView(record: WebhookDeliveryRecord): WebhookDeliveryView {
  return {
    id: record.id,
    provider: record.provider,
    deliveryKey: providerDeliveryKey(record.repositoryId, record.deliveryKey),
    event: record.eventName,
    status: record.state === 'leased' ? 'processing' : record.state,
    outcome: record.outcome,
    reason: record.reason,
    deploymentIds: [...record.deploymentIds],
    attempts: record.attempts,
    receivedAt: iso(record.receivedAtMs),
    processedAt: record.processedAtMs === null ? null : iso(record.processedAtMs),
  };
}

/** The repository's deliveries, newest first. Errors: `PROJECT_NOT_FOUND`, `REPOSITORY_NOT_FOUND`. */
export async function listRepositoryDeliveries(
  deps: WebhookAdminDeps,
  projectName: string,
  nameOrId: string,
  limit: number,
): Promise<WebhookDeliveryView[]> {
  const repository = await findRepository(deps, projectName, nameOrId);
  return (await deps.store.gitWebhooks.listDeliveries(repository.id, limit)).map(webhookDeliveryView);
}
