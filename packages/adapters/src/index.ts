export { createSystemClock } from './system/system-clock.js';
export { createSortableIdGenerator } from './system/sortable-id-generator.js';
export { lockDataDir, type DataDirLock } from './system/data-dir-lock.js';
export { createStatfsDiskUsage } from './system/statfs-disk-usage.js';
export { createFsArtifactStore, partialSuffix } from './artifacts/fs-artifact-store.js';
export { parseManifestYaml } from './artifacts/manifest-yaml.js';
export { createSqliteStore } from './store/sqlite-store.js';
export { createSourceFetcher, type SourceFetcherOptions } from './source/source-fetcher.js';
export { expandGitUrl } from './source/expand-git-url.js';
export { createGitMirrors, type GitMirrorsConfig } from './git/git-mirrors.js';
export { startGitHttpTestServer, type GitHttpTestServer } from './source/git-http-test-server.js';
export { sshGitServerAvailability, startSshGitTestServer, type SshGitTestServer } from './git/ssh-git-test-server.js';
export { assertPathAllowed, localSourcePath, type LocalSourcePolicy } from './source/local-source-policy.js';
export { createBuilder, type BuilderOptions } from './builder/builder.js';
export { mergeProcesses } from './builder/merge-processes.js';
export {
  createDockerEngine,
  namespaceLabel,
  type DockerEngine,
  type DockerEngineOptions,
} from './docker/docker-engine.js';
export { createDockerImageStore, type DockerImageStoreOptions } from './docker/docker-image-store.js';
export { parseProcfile } from './builder/procfile.js';
export { createHealthProber } from './health/health-prober.js';
export {
  createEdgeRouterTable,
  type EdgeRouterTable,
  type EdgeRouterTableOptions,
} from './router/edge-router-table.js';
export { formatListenAddress } from './router/edge-process.js';
export { createProcessDriver, type ProcessDriver, type ProcessDriverOptions } from './runtime/process-driver.js';
export { createSwarmDriver, type SwarmDriver, type SwarmDriverOptions } from './runtime/swarm/swarm-driver.js';
export { createDockerDriver, type DockerDriverOptions } from './runtime/docker/docker-driver.js';
export { createAesGcmSecretCipher } from './secrets/aes-gcm-secret-cipher.js';
export {
  createMemoryMasterKeyring,
  loadMasterKeyring,
  type LoadMasterKeyringOptions,
  type MasterKeyring,
  type MasterKeySource,
} from './secrets/master-keyring.js';
export { decodeMasterKey, encodeMasterKey, generateMasterKey, type MasterKey } from './secrets/master-key.js';
export {
  createScryptPasswordHasher,
  defaultScryptParameters,
  type ScryptParameters,
} from './auth/scrypt-password-hasher.js';
export { createRandomOpaqueTokens } from './auth/random-opaque-tokens.js';
export { createJoseAccessTokenSigner, type JoseAccessTokenSignerOptions } from './auth/jose-access-token-signer.js';
export {
  ensureSelfSignedCertificate,
  loadTlsCertificate,
  selfSignedNames,
  type TlsCertificate,
} from './tls/tls-certificate.js';
export {
  createProcessSandbox,
  probeProcessSandbox,
  type ProcessSandbox,
  type ProcessSandboxOptions,
} from './sandbox/process-sandbox.js';
export { createSandboxUsers, type SandboxUsers } from './sandbox/sandbox-users.js';
export { createMetricSource } from './analysis/metric-source.js';
export { measureHttpMetric, maxHttpMetricBodyBytes } from './analysis/http-metric-source.js';
export { measurePrometheusMetric, maxPrometheusAnswerBytes } from './analysis/prometheus-metric-source.js';
export { createNotifierSet } from './notify/notifier-set.js';
export { createLogDrainSender } from './log-drains/log-drain-sender.js';
export { drainPayload } from './log-drains/http-drain-sender.js';
export { formatSyslogMessage, frameSyslogMessage, slipwaySdId, syslogFrames } from './log-drains/syslog-message.js';
export { createSmtpNotifier, type SmtpRelaySettings } from './notify/smtp-notifier.js';
export { createSlackNotifier, slackPayloadOf, type SlackPayload } from './notify/slack-notifier.js';
export { createWebhookNotifier } from './notify/webhook-notifier.js';
export {
  defaultSignatureToleranceSeconds,
  signWebhookBody,
  verifyWebhookSignature,
  type SignatureCheck,
} from './notify/webhook-signature.js';
export { createCatalogCheckRunner } from './catalog-checks/catalog-check-runner.js';
export { createSqliteCatalogStore, type SqliteCatalogStoreOptions } from './store/catalog/sqlite-catalog-store.js';
export { findBridgeGateway } from './docker/bridge-gateway.js';
export { createGitProviderClient, defaultProviderHttpOptions } from './git-providers/git-provider-client.js';
export type { ProviderHttpOptions } from './git-providers/provider-http.js';
