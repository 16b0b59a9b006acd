/** Pull-request previews: what the server, the store and the provider clients need of them. */
export { applyPullRequestEvent } from './pull-request-event.js';
export { sweepPreviews, type PreviewSweepOptions } from './preview-sweep.js';
export {
  approvePreview,
  disablePreviews,
  enablePreviews,
  getPreviewSettings,
  listPreviews,
  previewView,
  removePreviewByNumber,
} from './previews.js';
export {
  dnsLabel,
  isPreviewEnvironment,
  previewAliasHost,
  previewEnvironmentName,
  previewHost,
  previewNumberOf,
} from './preview-hosts.js';
export type { PreviewProviderAccess, PreviewRecord, PreviewSettingsRecord, PreviewState } from './preview-records.js';
export type { PreviewServices } from './preview-services.js';
export { previewSetEnvironment } from './preview-set.js';
export type { PreviewRepository, PreviewSettingsRepository } from '../ports/preview-repositories.js';
export type {
  GitProviderClient,
  PullRequestAtProvider,
  GitProviderTarget,
  PreviewStatus,
  PreviewStatusState,
} from '../ports/git-provider-client.js';
