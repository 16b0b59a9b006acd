/**
 * Use cases on an app's previews: turn them on (which repository, limit, idle TTL, where statuses go) or off, list
 * them, let a fork's head commit build, remove one. The API translates; permissions are the routes'.
 */
import {
  SlipwayError,
  type EnablePreviewsBody,
  type PreviewSettingsView,
  type PreviewView,
  enablePreviewsBodySchema,
} from '@slipway/contract';
import type { CoreDeps } from '../core-deps.js';
import type { AppRecord } from '../domain/records.js';
import { sealSecret } from '../secrets/secret-vault.js';
import { createEnvironment } from '../use-cases/environments.js';
import { getApp } from '../use-cases/lookups.js';
import type { GitEventOutcome } from './git-event.js';
import { advancePreview, save } from './preview-advance.js';
import { previewAliasHost, previewEnvironmentName, previewHost } from './preview-hosts.js';
import type { PreviewRecord, PreviewSettingsRecord } from './preview-records.js';
import { previewSetEnvironment } from './preview-set.js';
import { withPreviewLock } from './preview-services.js';
import { previewTokenSealName } from './preview-status.js';
import { removePreview } from './pull-request-event.js';

/**
 * Turns previews on for the app (or replaces its settings), making its `preview` environment (the preview set) when
 * missing. A token given replaces the stored one; none keeps it. Errors: `APP_NOT_FOUND`, `REPOSITORY_NOT_FOUND`
 * (no repository of that name in the app's project), `VALIDATION_FAILED`.
 */
export async function enablePreviews(
  deps: CoreDeps,
  input: { app: string; body: EnablePreviewsBody },
): Promise<PreviewSettingsView> {
  const parsed = enablePreviewsBodySchema.safeParse(input.body);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    throw new SlipwayError('VALIDATION_FAILED', `${issue?.path.join('.') ?? ''}: ${issue?.message ?? 'invalid'}`);
  }
  const body = parsed.data;
  const app = await getApp(deps.store, input.app);
  const repository = await deps.store.gitRepositories.findByName(app.projectId, body.repository);
  if (!repository) {
    throw new SlipwayError(
      'REPOSITORY_NOT_FOUND',
      `project of "${app.name}" has no repository "${body.repository}" (slipway repos list)`,
      { details: { repository: body.repository } },
    );
  }
  const previewEnvironment = await ensurePreviewSetEnvironment(deps, app);
  const record = await deps.store.transaction(async (tx) => {
    const existing = await tx.previewSettings.find(app.id);
    const now = deps.clock.nowMs();
    let provider: PreviewSettingsRecord['provider'] = null;
    if (body.provider) {
      const { token, ...access } = body.provider;
      const sealedToken =
        token === undefined
          ? (existing?.provider?.sealedToken ?? null)
          : await sealSecret(
              deps,
              tx,
              { appId: app.id, environmentId: previewEnvironment },
              previewTokenSealName.name,
              previewTokenSealName.version,
              token,
            );
      provider = { ...access, apiBaseUrl: access.apiBaseUrl.replace(/\/+$/, ''), sealedToken };
    }
    const next: PreviewSettingsRecord = {
      appId: app.id,
      repositoryId: repository.id,
      maxPreviews: body.maxPreviews,
      idleTtlMs: body.idleTtlSeconds * 1000,
      provider,
      createdAtMs: existing?.createdAtMs ?? now,
      updatedAtMs: now,
    };
    await tx.previewSettings.put(next);
    return next;
  });
  deps.logger.info({ app: app.name, repositoryId: repository.id }, 'previews enabled');
  return settingsView(app, record, repository.name);
}

async function ensurePreviewSetEnvironment(deps: CoreDeps, app: AppRecord): Promise<string> {
  const find = async () => {
    const environment = await deps.store.environments.find(app.projectId, previewSetEnvironment);
    return environment && (await deps.store.appEnvironments.find(app.id, environment.id)) ? environment : undefined;
  };
  const existing = await find();
  if (existing) return existing.id;
  await createEnvironment(deps, { app: app.name, environment: previewSetEnvironment });
  const created = await find();
  if (!created) throw new SlipwayError('INTERNAL', 'the preview environment was not created');
  return created.id;
}

/** Errors: `APP_NOT_FOUND`, `PREVIEW_NOT_FOUND` when previews are off. */
export async function getPreviewSettings(deps: CoreDeps, appName: string): Promise<PreviewSettingsView> {
  const app = await getApp(deps.store, appName);
  const settings = await deps.store.previewSettings.find(app.id);
  if (!settings) {
    throw new SlipwayError('PREVIEW_NOT_FOUND', `"${app.name}" has no previews (slipway previews enable)`, {
      details: { app: app.name },
    });
  }
  const repository = await deps.store.gitRepositories.findById(settings.repositoryId);
  return settingsView(app, settings, repository?.name ?? settings.repositoryId);
}

/** Removes every preview of the app, then its settings; idempotent. Errors: `APP_NOT_FOUND`. */
export async function disablePreviews(deps: CoreDeps, appName: string): Promise<void> {
  const app = await getApp(deps.store, appName);
  await withPreviewLock(deps, app.id, async () => {
    const settings = await deps.store.previewSettings.find(app.id);
    for (const preview of await deps.store.previews.list(app.id)) {
      await removePreview(deps, app, settings, preview, 'previews turned off');
    }
    await deps.store.previewSettings.delete(app.id);
  });
  deps.logger.info({ app: app.name }, 'previews disabled');
}

export async function listPreviews(deps: CoreDeps, appName: string): Promise<PreviewView[]> {
  const app = await getApp(deps.store, appName);
  return (await deps.store.previews.list(app.id)).map((p) => previewView(deps, app, p));
}

/**
 * Lets the head commit of a fork's pull request build (a deployer's decision, per commit: a later commit waits
 * again), then deploys it as far as the limit allows. Errors: `PREVIEW_NOT_FOUND`, `VALIDATION_FAILED` (not a
 * fork's, or already approved at this commit).
 */
export async function approvePreview(
  deps: CoreDeps,
  input: { app: string; number: number; by: string },
): Promise<{ preview: PreviewView; outcome: GitEventOutcome }> {
  const app = await getApp(deps.store, input.app);
  return withPreviewLock(deps, app.id, () => approveLocked(deps, app, input));
}

async function approveLocked(
  deps: CoreDeps,
  app: AppRecord,
  input: { number: number; by: string },
): Promise<{ preview: PreviewView; outcome: GitEventOutcome }> {
  const { settings, preview } = await findPreview(deps, app, input.number);
  if (!settings) throw notFound(app, input.number);
  if (!preview.isFork || preview.approvedSha === preview.headSha) {
    throw new SlipwayError(
      'VALIDATION_FAILED',
      `preview #${preview.number} of "${app.name}" waits for no approval (${preview.isFork ? 'approved already' : 'not from a fork'})`,
      { details: { app: app.name, number: preview.number } },
    );
  }
  const approved = await save(deps, { ...preview, approvedBy: input.by, approvedSha: preview.headSha });
  deps.logger.info({ app: app.name, number: preview.number, by: input.by }, 'preview approved');
  const outcome = await advancePreview(deps, app, settings, approved, input.by);
  const stored = (await deps.store.previews.find(app.id, preview.number)) ?? approved;
  return { preview: previewView(deps, app, stored), outcome };
}

/** Removes the preview now (as its pull request's close would); idempotent. Errors: `APP_NOT_FOUND`. */
export async function removePreviewByNumber(
  deps: CoreDeps,
  input: { app: string; number: number },
): Promise<GitEventOutcome> {
  const app = await getApp(deps.store, input.app);
  return withPreviewLock(deps, app.id, async () => {
    const preview = await deps.store.previews.find(app.id, input.number);
    if (!preview) return { outcome: 'ignored', reason: `preview #${input.number} of "${app.name}" is gone already` };
    const settings = await deps.store.previewSettings.find(app.id);
    return removePreview(deps, app, settings, preview, 'removed by a user');
  });
}

async function findPreview(
  deps: CoreDeps,
  app: AppRecord,
  number: number,
): Promise<{ settings: PreviewSettingsRecord | undefined; preview: PreviewRecord }> {
  const preview = await deps.store.previews.find(app.id, number);
  if (!preview) throw notFound(app, number);
  return { settings: await deps.store.previewSettings.find(app.id), preview };
}

const notFound = (app: AppRecord, number: number): SlipwayError =>
  new SlipwayError('PREVIEW_NOT_FOUND', `"${app.name}" has no preview of pull request #${number}`, {
    details: { app: app.name, number },
  });

export function previewView(deps: CoreDeps, app: AppRecord, preview: PreviewRecord): PreviewView {
  const domain = deps.settings.previewDomain ?? deps.settings.defaultDomain;
  return {
    app: app.name,
    number: preview.number,
    title: preview.title,
    environment: previewEnvironmentName(preview.number),
    state: preview.state,
    headRef: preview.headRef,
    commit: preview.headSha,
    isFork: preview.isFork,
    approvedBy: preview.approvedBy,
    host: previewHost(app.name, preview.number, domain),
    aliasHost: previewAliasHost(app.name, preview.number, preview.headSha, domain),
    deploymentId: preview.deploymentId,
    lastEventAt: new Date(preview.lastEventAtMs).toISOString(),
    createdAt: new Date(preview.createdAtMs).toISOString(),
  };
}

function settingsView(app: AppRecord, settings: PreviewSettingsRecord, repository: string): PreviewSettingsView {
  const provider = settings.provider;
  return {
    app: app.name,
    repository,
    maxPreviews: settings.maxPreviews,
    idleTtlSeconds: Math.round(settings.idleTtlMs / 1000),
    provider:
      provider === null
        ? null
        : {
            kind: provider.kind,
            apiBaseUrl: provider.apiBaseUrl,
            repositoryPath: provider.repositoryPath,
            hasToken: provider.sealedToken !== null,
          },
  };
}
