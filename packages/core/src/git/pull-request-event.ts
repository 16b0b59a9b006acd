/**
 * A pull request: for every app that previews its repository, the preview `pr-<n>` is created when it opens,
 * redeployed at the exact head commit when it moves, and removed when it closes or merges. Idempotent: the same head
 * commit asked twice deploys once, and removing what is gone removes nothing.
 */
import { isSlipwayError } from '@slipway/contract';
import type { CoreDeps } from '../core-deps.js';
import type { AppRecord } from '../domain/records.js';
import type { GitEventOutcome, GitPullRequestEvent } from './git-event.js';
import { advancePreview, save, short } from './preview-advance.js';
import { destroyPreview } from './preview-lifecycle.js';
import { withPreviewLock } from './preview-services.js';
import { fullHeadCommit } from './preview-source.js';
import type { PreviewRecord, PreviewSettingsRecord } from './preview-records.js';
import { reportPreviewStatus } from './preview-status.js';

const commitPattern = /^[0-9a-f]{7,64}$/;
/** A branch name git accepts and no shell or ref trick hides in (check-ref-format, without `..`, `@{`, controls). */
const branchPattern = /^(?!.*\.\.)(?!.*@\{)(?!\/)(?!.*\/$)(?!.*\.lock$)[A-Za-z0-9._/-]{1,255}$/;

export async function applyPullRequestEvent(deps: CoreDeps, event: GitPullRequestEvent): Promise<GitEventOutcome> {
  const settingsList = await deps.store.previewSettings.listByRepository(event.repositoryId);
  if (settingsList.length === 0) {
    return { outcome: 'ignored', reason: `no app previews pull requests of repository ${event.repositoryId}` };
  }
  if (!deps.previews) return { outcome: 'failed', reason: 'previews are not set up in this server' };
  const outcomes: GitEventOutcome[] = [];
  for (const settings of settingsList) {
    const app = await deps.store.apps.findById(settings.appId);
    if (app) outcomes.push(await withPreviewLock(deps, app.id, () => applyToApp(deps, app, settings, event)));
  }
  return combineOutcomes(outcomes);
}

async function applyToApp(
  deps: CoreDeps,
  app: AppRecord,
  settings: PreviewSettingsRecord,
  event: GitPullRequestEvent,
): Promise<GitEventOutcome> {
  const label = `preview of #${event.number} (${app.name})`;
  const existing = await deps.store.previews.find(app.id, event.number);
  if (event.action === 'closed' || event.action === 'merged') {
    if (!existing) return { outcome: 'ignored', reason: `${label}: none to remove` };
    return removePreview(deps, app, settings, existing, `pull request #${event.number} ${event.action}`);
  }
  if (!commitPattern.test(event.headSha)) {
    return { outcome: 'failed', reason: `${label}: the head commit is not a commit id` };
  }
  if (!branchPattern.test(event.headRef)) {
    return { outcome: 'failed', reason: `${label}: the head branch name is not one Slipway fetches` };
  }
  let headSha: string;
  try {
    headSha = await fullHeadCommit(deps, event, event.headSha);
  } catch (error) {
    if (!isSlipwayError(error)) throw error;
    return { outcome: 'failed', reason: `${label}: ${error.code}: ${error.message}` };
  }
  if (existing && existing.headSha === headSha && isUnderWay(existing)) {
    await save(deps, { ...existing, title: event.title, lastEventAtMs: deps.clock.nowMs() });
    return { outcome: 'ignored', reason: `${label}: already at ${short(headSha)}` };
  }
  const now = deps.clock.nowMs();
  const preview: PreviewRecord = existing
    ? {
        ...existing,
        title: event.title,
        headRef: event.headRef,
        headSha,
        isFork: event.isFork,
        headCloneUrl: event.headCloneUrl,
        lastEventAtMs: now,
      }
    : {
        id: deps.ids.next('prv'),
        appId: app.id,
        repositoryId: event.repositoryId,
        number: event.number,
        title: event.title,
        headRef: event.headRef,
        headSha,
        isFork: event.isFork,
        headCloneUrl: event.headCloneUrl,
        state: 'deploying',
        environmentId: null,
        deploymentId: null,
        approvedBy: null,
        approvedSha: null,
        providerRefs: {},
        lastEventAtMs: now,
        createdAtMs: now,
        updatedAtMs: now,
      };
  return advancePreview(deps, app, settings, await save(deps, preview));
}

/** Deploying or serving its head (or waiting for what only a person or a free slot changes). */
function isUnderWay(preview: PreviewRecord): boolean {
  return preview.state !== 'failed' && preview.state !== 'removing';
}

/** Removes a preview and tells the provider; `waiting` while a deployment of it still has to stop. */
export async function removePreview(
  deps: CoreDeps,
  app: AppRecord,
  settings: PreviewSettingsRecord | undefined,
  preview: PreviewRecord,
  why: string,
): Promise<GitEventOutcome> {
  const label = `preview of #${preview.number} (${app.name})`;
  const result = await destroyPreview(deps, app, preview, why);
  if (result === 'pending') {
    await save(deps, { ...preview, state: 'removing' });
    return { outcome: 'waiting', reason: `${label}: its deployment is being cancelled; removed once it stops` };
  }
  if (settings) await reportPreviewStatus(deps, app, settings, preview, 'removed', `removed: ${why}`);
  return { outcome: 'removed', reason: `${label}: removed (${why})` };
}

/** One outcome for the apps an event touched: the strongest (deployed over waiting over removed over ignored). */
export function combineOutcomes(outcomes: readonly GitEventOutcome[]): GitEventOutcome {
  const order: readonly GitEventOutcome['outcome'][] = ['failed', 'deployed', 'waiting', 'removed', 'ignored'];
  const outcome = order.find((kind) => outcomes.some((o) => o.outcome === kind)) ?? 'ignored';
  const deploymentIds = outcomes.flatMap((o) => o.deploymentIds ?? []);
  return {
    outcome,
    reason: outcomes.map((o) => o.reason).join('; ') || 'nothing to do',
    ...(deploymentIds.length === 0 ? {} : { deploymentIds }),
  };
}
