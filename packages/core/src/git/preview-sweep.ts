/**
 * The previews' periodic pass, which webhooks cannot be trusted to make unnecessary: 1. a preview whose removal waited
 * for its deployment to stop is removed; 2. one idle past its app's TTL is removed; 3. with `askProvider`, one whose
 * pull request the provider says is closed is removed (an `unknown` answer removes nothing), and one whose head the
 * provider reports past the preview's (an update webhook lost) is deployed at it; 4. a deployment that
 * ended is reported (ready or failed), and a head commit that moved meanwhile is deployed; 5. a preview waiting for
 * a free slot starts when one is free.
 */
import { isSlipwayError } from '@slipway/contract';
import type { CoreDeps } from '../core-deps.js';
import type { AppRecord } from '../domain/records.js';
import type { PullRequestAtProvider } from '../ports/git-provider-client.js';
import type { GitEventOutcome } from './git-event.js';
import { advancePreview, save, short } from './preview-advance.js';
import type { PreviewRecord, PreviewSettingsRecord } from './preview-records.js';
import { withPreviewLock } from './preview-services.js';
import { fullHeadCommit } from './preview-source.js';
import { providerTarget, reportPreviewStatus } from './preview-status.js';
import { removePreview } from './pull-request-event.js';
import { asTrigger } from '../deployment/trigger-span.js';

export interface PreviewSweepOptions {
  /** Ask each preview's provider whether its pull request is still open (an API call per preview). */
  readonly askProvider: boolean;
}

/** What the pass did to each preview it changed, as `#<n> (<app>): …` lines. */
/** One pass; the preview deployments it starts are traced under one `preview.sweep` span. */
export function sweepPreviews(deps: CoreDeps, options: PreviewSweepOptions): Promise<string[]> {
  return asTrigger(deps, 'preview.sweep', {}, () => sweepPass(deps, options));
}

async function sweepPass(deps: CoreDeps, options: PreviewSweepOptions): Promise<string[]> {
  const done: string[] = [];
  for (const preview of await deps.store.previews.list()) {
    const app = await deps.store.apps.findById(preview.appId);
    if (!app) continue;
    try {
      const outcome = await withPreviewLock(deps, app.id, async () => {
        // Read again under the lock: an event may have changed or removed it since the list was read.
        const current = await deps.store.previews.find(app.id, preview.number);
        return current === undefined ? undefined : sweepOne(deps, app, current, options);
      });
      if (outcome) done.push(outcome.reason);
    } catch (error) {
      // One preview's failure (a store conflict, an unreadable secret) never stops the others' pass.
      const code = isSlipwayError(error) ? error.code : 'INTERNAL';
      deps.logger.warn({ app: app.name, number: preview.number, code }, 'preview sweep failed');
    }
  }
  return done;
}

async function sweepOne(
  deps: CoreDeps,
  app: AppRecord,
  preview: PreviewRecord,
  options: PreviewSweepOptions,
): Promise<GitEventOutcome | undefined> {
  const settings = await deps.store.previewSettings.find(app.id);
  if (!settings) return removePreview(deps, app, undefined, preview, 'previews are off for this app');
  if (preview.state === 'removing') return removePreview(deps, app, settings, preview, 'pull request over');
  const idleMs = deps.clock.nowMs() - preview.lastEventAtMs;
  if (idleMs >= settings.idleTtlMs) {
    return removePreview(deps, app, settings, preview, `idle for ${Math.floor(idleMs / 3_600_000)} h`);
  }
  if (options.askProvider) {
    const remote = await atProvider(deps, app, settings, preview);
    if (remote.state === 'closed') {
      return removePreview(deps, app, settings, preview, `pull request #${preview.number} is closed`);
    }
    if (remote.state === 'open' && remote.headSha !== null && !preview.headSha.startsWith(remote.headSha)) {
      return followMovedHead(deps, app, settings, preview, remote.headSha);
    }
  }
  if (preview.state === 'limited') return advancePreview(deps, app, settings, preview);
  if (preview.state === 'deploying') return followDeployment(deps, app, settings, preview);
  return undefined;
}

async function atProvider(
  deps: CoreDeps,
  app: AppRecord,
  settings: PreviewSettingsRecord,
  preview: PreviewRecord,
): Promise<PullRequestAtProvider> {
  const target = await providerTarget(deps, app, settings);
  if (!target || !deps.previews) return { state: 'unknown', headSha: null };
  return deps.previews.provider.pullRequestState(target, preview.number);
}

/** The provider's head moved past the preview's (its webhook was lost): the new head is deployed as an update would. */
async function followMovedHead(
  deps: CoreDeps,
  app: AppRecord,
  settings: PreviewSettingsRecord,
  preview: PreviewRecord,
  remoteHead: string,
): Promise<GitEventOutcome> {
  let headSha: string;
  try {
    headSha = await fullHeadCommit(deps, preview, remoteHead);
  } catch (error) {
    if (!isSlipwayError(error)) throw error;
    return {
      outcome: 'failed',
      reason: `preview of #${preview.number} (${app.name}): ${error.code}: ${error.message}`,
    };
  }
  const moved = await save(deps, { ...preview, headSha, lastEventAtMs: deps.clock.nowMs() });
  return advancePreview(deps, app, settings, moved);
}

async function followDeployment(
  deps: CoreDeps,
  app: AppRecord,
  settings: PreviewSettingsRecord,
  preview: PreviewRecord,
): Promise<GitEventOutcome | undefined> {
  const label = `preview of #${preview.number} (${app.name})`;
  const deployment =
    preview.deploymentId === null ? undefined : await deps.store.deployments.findById(preview.deploymentId);
  if (deployment && (deployment.state === 'pending' || deployment.state === 'running')) return undefined;
  const deployedCommit = deployment?.source.kind === 'repository' ? deployment.source.commit : undefined;
  if (!deployment || deployedCommit !== preview.headSha) {
    // The head moved while an older commit's deployment ran (it was cancelled): deploy the head now.
    if (deployment && (await deps.store.deployments.findActive(app.id, deployment.environmentId))) return undefined;
    return advancePreview(deps, app, settings, preview);
  }
  if (deployment.state === 'succeeded') {
    const ready = await save(deps, { ...preview, state: 'ready' });
    await reportPreviewStatus(deps, app, settings, ready, 'ready', `${short(preview.headSha)} is live`);
    return { outcome: 'deployed', reason: `${label}: ${short(preview.headSha)} is live` };
  }
  const failed = await save(deps, { ...preview, state: 'failed' });
  const why = deployment.failure?.reason ?? deployment.state;
  await reportPreviewStatus(deps, app, settings, failed, 'failed', `${short(preview.headSha)} failed: ${why}`);
  return { outcome: 'failed', reason: `${label}: deployment ${deployment.id} ${deployment.state}` };
}
