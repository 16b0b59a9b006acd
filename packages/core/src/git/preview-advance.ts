/**
 * Moves a preview toward serving its head commit, as far as it may go now: a fork's commit nobody approved waits, a
 * preview over the app's limit waits, otherwise its head is deployed (or, while an older commit's deployment runs,
 * that one is cancelled and the sweep deploys the head once it ends). Tells the provider what happened.
 */
import { isSlipwayError } from '@slipway/contract';
import type { CoreDeps } from '../core-deps.js';
import type { AppRecord } from '../domain/records.js';
import type { GitEventOutcome } from './git-event.js';
import { cancelStaleDeployment, deployPreview } from './preview-lifecycle.js';
import type { PreviewRecord, PreviewSettingsRecord } from './preview-records.js';
import { reportPreviewStatus } from './preview-status.js';

export async function advancePreview(
  deps: CoreDeps,
  app: AppRecord,
  settings: PreviewSettingsRecord,
  preview: PreviewRecord,
  requestedBy?: string,
): Promise<GitEventOutcome> {
  const label = `preview of #${preview.number} (${app.name})`;
  if (preview.isFork && preview.approvedSha !== preview.headSha) {
    const waiting = await save(deps, { ...preview, state: 'waiting-approval' });
    const reason = `${label}: commit ${short(preview.headSha)} comes from a fork and waits for a deployer's approval (slipway previews approve ${app.name} ${preview.number})`;
    await reportPreviewStatus(
      deps,
      app,
      settings,
      waiting,
      'waiting',
      'waiting for approval: the commit comes from a fork',
    );
    return { outcome: 'waiting', reason };
  }
  if (preview.environmentId === null) {
    const others = (await deps.store.previews.list(app.id)).filter(
      (p) => p.id !== preview.id && p.environmentId !== null,
    );
    if (others.length >= settings.maxPreviews) {
      const limited = await save(deps, { ...preview, state: 'limited' });
      const reason = `${label}: ${app.name} has ${others.length} previews, its limit; it starts when one is removed`;
      await reportPreviewStatus(
        deps,
        app,
        settings,
        limited,
        'waiting',
        `waiting: the app's limit of ${settings.maxPreviews} previews is reached`,
      );
      return { outcome: 'waiting', reason };
    }
  }
  try {
    const result = await deployPreview(deps, app, preview, requestedBy);
    if (result.kind === 'busy') {
      await cancelStaleDeployment(deps, result.activeId, `a newer commit of pull request #${preview.number}`);
      const reason = `${label}: deployment ${result.activeId} of an older commit is being cancelled; ${short(preview.headSha)} deploys once it ends`;
      await reportPreviewStatus(deps, app, settings, result.preview, 'building', `deploying ${short(preview.headSha)}`);
      return { outcome: 'waiting', reason };
    }
    await reportPreviewStatus(deps, app, settings, result.preview, 'building', `deploying ${short(preview.headSha)}`);
    return {
      outcome: 'deployed',
      reason: `${label}: deploying ${short(preview.headSha)} (${result.deploymentId})`,
      deploymentIds: [result.deploymentId],
    };
  } catch (error) {
    if (!isSlipwayError(error)) throw error;
    const failed = await save(deps, { ...preview, state: 'failed' });
    await reportPreviewStatus(deps, app, settings, failed, 'failed', `not deployed: ${error.message}`);
    return { outcome: 'failed', reason: `${label}: ${error.code}: ${error.message}` };
  }
}

/** Writes the record (inserted when new) with the time of the change; returns what was written. */
export async function save(deps: CoreDeps, preview: PreviewRecord): Promise<PreviewRecord> {
  const record = { ...preview, updatedAtMs: deps.clock.nowMs() };
  await deps.store.transaction(async (tx) => {
    if (await tx.previews.find(record.appId, record.number)) await tx.previews.update(record);
    else await tx.previews.insert(record);
  });
  return record;
}

export const short = (commit: string): string => commit.slice(0, 7);
