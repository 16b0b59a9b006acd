/**
 * Tells the pull request how its preview is doing, through the provider client. A provider that cannot be reached
 * never fails the preview: the failure is logged (without the token) and the next report tries again.
 */
import { isSlipwayError } from '@slipway/contract';
import type { CoreDeps } from '../core-deps.js';
import type { AppRecord } from '../domain/records.js';
import type { GitProviderTarget, PreviewStatusState } from '../ports/git-provider-client.js';
import { openSealedValue } from '../secrets/secret-vault.js';
import { previewAliasHost, previewEnvironmentName, previewHost } from './preview-hosts.js';
import type { PreviewRecord, PreviewSettingsRecord } from './preview-records.js';
import { previewSetEnvironment } from './preview-set.js';

/** The secret name (and version) the provider API token is sealed as, under the app's `preview` environment. */
export const previewTokenSealName = { name: 'SLIPWAY_PREVIEW_PROVIDER_TOKEN', version: 1 } as const;

export async function reportPreviewStatus(
  deps: CoreDeps,
  app: AppRecord,
  settings: PreviewSettingsRecord,
  preview: PreviewRecord,
  state: PreviewStatusState,
  description: string,
): Promise<void> {
  const services = deps.previews;
  if (!services || !settings.provider) return;
  const log = { app: app.name, number: preview.number, provider: settings.provider.kind };
  try {
    const target = await providerTarget(deps, app, settings);
    if (!target) return;
    const domain = deps.settings.previewDomain ?? deps.settings.defaultDomain;
    const serves = state === 'ready';
    const refs = await services.provider.reportPreview(
      target,
      {
        number: preview.number,
        commit: preview.headSha,
        state,
        url: serves ? services.publicUrl(previewHost(app.name, preview.number, domain)) : null,
        aliasUrl: serves
          ? services.publicUrl(previewAliasHost(app.name, preview.number, preview.headSha, domain))
          : null,
        environment: previewEnvironmentName(preview.number),
        description,
      },
      preview.providerRefs,
    );
    await deps.store.transaction(async (tx) => {
      const stored = await tx.previews.find(preview.appId, preview.number);
      if (stored) await tx.previews.update({ ...stored, providerRefs: refs });
    });
  } catch (error) {
    const code = isSlipwayError(error) ? error.code : 'INTERNAL';
    const reason = isSlipwayError(error) ? error.message : 'unexpected error';
    deps.logger.warn({ ...log, code, reason }, 'preview status not reported');
  }
}

/** The provider settings with the token opened; undefined when the app has none. Errors: `SECRET_UNREADABLE`. */
export async function providerTarget(
  deps: CoreDeps,
  app: AppRecord,
  settings: PreviewSettingsRecord,
): Promise<GitProviderTarget | undefined> {
  const provider = settings.provider;
  if (!provider) return undefined;
  let token: string | null = null;
  if (provider.sealedToken !== null) {
    const environment = await deps.store.environments.find(app.projectId, previewSetEnvironment);
    if (!environment) return undefined;
    token = await openSealedValue(
      deps,
      { appId: app.id, environmentId: environment.id },
      { ...previewTokenSealName, sealed: provider.sealedToken },
      'the preview provider token',
    );
  }
  return {
    kind: provider.kind,
    apiBaseUrl: provider.apiBaseUrl,
    repositoryPath: provider.repositoryPath,
    token,
  };
}
