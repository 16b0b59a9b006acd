/**
 * Where the core turns what happened into delivery events: a deployment over (succeeded or failed) and an instance
 * that starts crash-looping. Both look up the names the message needs and then publish; neither ever throws, so a
 * notification can never fail what it reports on.
 */
import type { CoreDeps } from '../core-deps.js';
import type { DeliveryEvent, DeliveryEventKind } from '../delivery/delivery-events.js';
import type { DeploymentRecord, InstanceRecord } from '../domain/records.js';
import { exitsOf, isCrashLooping } from '../use-cases/crash-loop.js';

type PublishDeps = Pick<CoreDeps, 'store' | 'ids' | 'clock' | 'logger' | 'deliveryEvents'>;

/** A notification is read at a glance: longer messages (a long failure reason) are cut. */
const maxMessageLength = 1_000;

async function publish(
  deps: PublishDeps,
  kind: DeliveryEventKind,
  scope: { appId: string; environmentId: string; deploymentId: string | null; releaseId: string | null },
  message: (names: { app: string; environment: string; releaseNumber: number | null }) => string,
): Promise<void> {
  const sink = deps.deliveryEvents;
  if (sink === undefined) return;
  try {
    const [app, environment, release] = await Promise.all([
      deps.store.apps.findById(scope.appId),
      deps.store.environments.findById(scope.environmentId),
      scope.releaseId === null ? undefined : deps.store.releases.findById(scope.releaseId),
    ]);
    if (!app || !environment) return;
    const names = { app: app.name, environment: environment.name, releaseNumber: release?.number ?? null };
    const text = message(names);
    const event: DeliveryEvent = {
      id: deps.ids.next('evt'),
      kind,
      projectId: app.projectId,
      environmentId: environment.id,
      appId: app.id,
      app: app.name,
      environment: environment.name,
      deploymentId: scope.deploymentId,
      releaseNumber: names.releaseNumber,
      message: text.length > maxMessageLength ? `${text.slice(0, maxMessageLength)}…` : text,
      atMs: deps.clock.nowMs(),
    };
    sink.publish(event);
  } catch (error) {
    deps.logger.warn({ kind, appId: scope.appId, err: error }, 'delivery event not published');
  }
}

/**
 * Publishes `deployment.succeeded` or `deployment.failed` for a deployment that just ended so; other states publish
 * nothing. The failure reason is the one stored (secret values already masked).
 */
export async function publishDeploymentOver(deps: PublishDeps, deployment: DeploymentRecord): Promise<void> {
  if (deployment.state !== 'succeeded' && deployment.state !== 'failed') return;
  const scope = {
    appId: deployment.appId,
    environmentId: deployment.environmentId,
    deploymentId: deployment.id,
    releaseId: deployment.releaseId,
  };
  if (deployment.state === 'succeeded') {
    await publish(deps, 'deployment.succeeded', scope, ({ app, environment, releaseNumber }) =>
      releaseNumber === null
        ? `Deployment ${deployment.id} of ${app} in ${environment} succeeded.`
        : `Deployment ${deployment.id} of ${app} in ${environment} succeeded: release ${releaseNumber} is live.`,
    );
    return;
  }
  const failure = deployment.failure;
  await publish(deps, 'deployment.failed', scope, ({ app, environment }) =>
    failure === null
      ? `Deployment ${deployment.id} of ${app} in ${environment} failed.`
      : `Deployment ${deployment.id} of ${app} in ${environment} failed in ${failure.phase}: ${failure.code}: ${failure.reason}`,
  );
}

/**
 * Publishes `instance.crash-loop` once per loop: when the exit just recorded is the one that makes the instance
 * crash-looping (the `crashLoopRestarts`-th exit without having served since), not at every exit after it.
 */
export async function publishCrashLoop(
  deps: PublishDeps & Pick<CoreDeps, 'settings'>,
  instance: InstanceRecord,
): Promise<void> {
  if (!isCrashLooping(instance, deps.settings) || exitsOf(instance) !== deps.settings.crashLoopRestarts) return;
  const exitCode = instance.lastExitCode === null ? 'no exit code' : `exit code ${instance.lastExitCode}`;
  await publish(
    deps,
    'instance.crash-loop',
    {
      appId: instance.appId,
      environmentId: instance.environmentId,
      deploymentId: instance.deploymentId,
      releaseId: instance.releaseId,
    },
    ({ app, environment, releaseNumber }) =>
      `Instance ${instance.id} (${instance.process}) of ${app}${releaseNumber === null ? '' : ` release ${releaseNumber}`} in ${environment} is crash-looping: ${exitsOf(instance)} exits without serving, last with ${exitCode}.`,
  );
}

/** Publishes `certificate.expiring` for a domain's certificate (once per certificate: the caller records it). */
export async function publishCertificateExpiring(
  deps: PublishDeps,
  domain: { host: string; appId: string; environmentId: string; notAfterMs: number },
): Promise<void> {
  const scope = { appId: domain.appId, environmentId: domain.environmentId, deploymentId: null, releaseId: null };
  const days = Math.max(0, Math.floor((domain.notAfterMs - deps.clock.nowMs()) / 86_400_000));
  await publish(
    deps,
    'certificate.expiring',
    scope,
    ({ app, environment }) =>
      `The certificate of ${domain.host} (${app} in ${environment}) expires on ${new Date(domain.notAfterMs).toISOString()}, in ${days} day${days === 1 ? '' : 's'}, and has not been renewed yet.`,
  );
}
