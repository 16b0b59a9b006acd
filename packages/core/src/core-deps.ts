/** The dependencies and settings every use case receives from the composition root. */
import type { AlertConditionSources } from './alerts/alert-conditions.js';
import type { DeliveryEventSink } from './delivery/delivery-events.js';
import type { GateRunnerRegistry } from './delivery/gate-runners.js';
import type { Failpoint } from './deployment/failpoints.js';
import type { BackgroundSupervisor } from './controller/background-supervisor.js';
import type { InstanceCatalogHooks } from './catalog/instance-registration.js';
import type { EventBus } from './domain/event-bus.js';
import type { SecretChange } from './domain/secret-records.js';
import type { PreviewServices } from './git/preview-services.js';
import type { ArtifactStore } from './ports/artifact-store.js';
import type { Builder } from './ports/builder.js';
import type { Clock } from './ports/clock.js';
import type { DeploymentTracer } from './ports/deployment-tracer.js';
import type { GitMirrors } from './ports/git-mirrors.js';
import type { RepositoryFiles } from './ports/repository-files.js';
import type { HealthProber } from './ports/health-prober.js';
import type { IdGenerator } from './ports/id-generator.js';
import type { Logger } from './ports/logger.js';
import type { MetricSource } from './ports/metric-source.js';
import type { ControlPlaneMetrics } from './ports/control-plane-metrics.js';
import type { RouterTable } from './ports/router-table.js';
import type { RuntimeSet } from './controller/runtime-set.js';
import type { ImageStore } from './ports/image-store.js';
import type { SecretCipher } from './ports/secret-cipher.js';
import type { SourceFetcher } from './ports/source-fetcher.js';
import type { Store } from './ports/store.js';
import type { LogSettings } from './logs/log-settings.js';
import type { LogWriter } from './logs/log-writer.js';
import type { DomainHttpsSettings } from './domains/route-domains.js';

export interface CoreSettings {
  readonly nodeName: string;
  /** Suffix of default routes: app `hello` in production answers on `hello.<domain>`. */
  readonly defaultDomain: string;
  /**
   * How custom domains with a certificate are served by default: plain HTTP redirected to HTTPS on `redirectPort`
   * (absent: no redirect), `hsts` as their `Strict-Transport-Security` (absent: none); `httpsPort` is where a domain
   * set to redirect on its own goes. A domain's own settings override these.
   */
  readonly domainHttps?: DomainHttpsSettings;
  /** Releases kept per app and environment (the current one is always kept). */
  readonly releaseRetention: number;
  /** Builds that may run at once; further deployments wait in the queue. */
  readonly buildConcurrency: number;
  /** Deployments a worker runs at once. */
  readonly deploymentConcurrency: number;
  /** Longest wait, once an instance is out of the router, for the router's requests in flight to it to finish before it is stopped. */
  readonly drainMs: number;
  /** Job lease length; a lease not renewed in time lets another worker resume the deployment. */
  readonly jobLeaseMs: number;
  /** How often the controller compares desired and actual state (each runtime in its own pass). */
  readonly reconcileIntervalMs: number;
  /**
   * Deadline of one runtime call (`list`, `start`, `inspect`, `stats`, …); a stop or remove gets the stop grace on top,
   * an exec its own timeout. Past it the call rejects with `RUNTIME_TIMEOUT` and its request to the engine is aborted.
   */
  readonly runtimeCallTimeoutMs: number;
  /** Deadline of a start, which may wait for the runtime to run it (a swarm task: up to 120 s). */
  readonly runtimeStartTimeoutMs: number;
  /**
   * Leases of one deployment job after which, should the job still not be over (its run threw, or the worker died
   * holding it, every time), its deployment fails with `JOB_RETRIES_EXHAUSTED` instead of running again.
   */
  readonly jobMaxAttempts: number;
  /** Restarts of a never-healthy instance after which it counts as crash-looping. */
  readonly crashLoopRestarts: number;
  /** Backoff of restarts: base · 2^restarts, capped. */
  readonly restartBackoffBaseMs: number;
  readonly restartBackoffMaxMs: number;
  /** An instance healthy for this long before it exits is restarted with the base backoff again. */
  readonly stableRunMs: number;
  /** The release command's deadline; past it, it is stopped and the deployment fails. */
  readonly releaseCommandTimeoutMs: number;
  /**
   * A process type with no health check (`type: none`, the default of every type but `web`) counts as healthy once
   * it has run this long; one that exits before (even with code 0) crashed.
   */
  readonly settleMs: number;
  /**
   * Names this control plane's objects on shared engines (containers, services, networks, images carry
   * `slipway.namespace=<it>`), so two control planes on one engine never adopt each other's.
   */
  readonly runtimeNamespace: string;
  /**
   * Registries an `image:` may be pulled from (`docker.io` stands for references that name none), so a manifest
   * cannot make the engine call an arbitrary host; `ghcr.io`, `registry.example.com:5000`.
   */
  readonly imageRegistries: readonly string[];
  /**
   * Where an instance reaches the service catalog's HTTP API (`host:port`), by runtime name: given to it as
   * `SLIPWAY_CATALOG_ADDR` and `CONSUL_HTTP_ADDR`. A runtime left out (no catalog, or one its instances cannot
   * reach) gets neither variable.
   */
  readonly catalogAddresses: Readonly<Record<string, string>>;
  /** Suffix of pull-request previews' hosts (`pr-7.shop.<it>`); default: `defaultDomain`. */
  readonly previewDomain?: string;
}

export const defaultCoreSettings: CoreSettings = {
  nodeName: 'local',
  defaultDomain: 'localhost',
  releaseRetention: 10,
  buildConcurrency: 1,
  deploymentConcurrency: 4,
  drainMs: 1_000,
  jobLeaseMs: 15_000,
  reconcileIntervalMs: 500,
  runtimeCallTimeoutMs: 30_000,
  runtimeStartTimeoutMs: 150_000,
  jobMaxAttempts: 5,
  crashLoopRestarts: 3,
  restartBackoffBaseMs: 500,
  restartBackoffMaxMs: 60_000,
  stableRunMs: 60_000,
  releaseCommandTimeoutMs: 15 * 60_000,
  settleMs: 2_000,
  runtimeNamespace: 'local',
  imageRegistries: ['docker.io'],
  catalogAddresses: {},
};

export interface CoreDeps {
  readonly store: Store;
  /** The runtime drivers, by name; an instance runs on the one its record names. */
  readonly runtimes: RuntimeSet;
  /** The images Slipway built, when it runs with a container engine. */
  readonly images?: ImageStore;
  readonly router: RouterTable;
  readonly sources: SourceFetcher;
  readonly builder: Builder;
  readonly prober: HealthProber;
  readonly artifacts: ArtifactStore;
  readonly clock: Clock;
  readonly ids: IdGenerator;
  readonly logger: Logger;
  readonly events: EventBus;
  /** Seals and opens secrets (values under data keys, data keys under the master key). */
  readonly secretCipher: SecretCipher;
  /**
   * Called after a secret change is committed, once per name (never with the value): where the audit log and the
   * slipwayd log learn of it. Must not throw.
   */
  readonly onSecretChange?: (change: SecretChange) => void;
  readonly settings: CoreSettings;
  /** Where approvals pending, rollouts paused/aborted, deployments over and crash loops are published (notifications). */
  readonly deliveryEvents?: DeliveryEventSink;
  /** The condition source of each alert rule kind slipwayd can observe; a kind without one cannot be added. */
  readonly alertSources?: AlertConditionSources;
  /** The persisted log (docs/logs.md): where deployments' output is written beside the instances'. */
  readonly logs?: { readonly writer: LogWriter; readonly settings: LogSettings };
  /** Measures analyses' `http` and `prometheus` metrics; without it their measurements are errors. */
  readonly metricSource?: MetricSource;
  /** Measures phases, deployments, job runs, reconcile passes and restarts; without it nothing is measured. */
  readonly metrics?: ControlPlaneMetrics;
  /**
   * Gate runners beyond the built-in `healthy` and `pause`, by gate kind (`analysis`, `approval`): a rollout whose
   * step has a gate of a kind with no runner ends degraded with `GATE_UNSUPPORTED`.
   */
  readonly gateRunners?: GateRunnerRegistry;
  /** Spans of deployment runs and phases in the trace of the request that asked (docs/tracing.md); absent: untraced. */
  readonly tracer?: DeploymentTracer;
  /** Testing hook evaluated at named points of a deployment's run (`SLIPWAY_FAILPOINTS`); absent in normal runs. */
  readonly failpoint?: Failpoint;
  /**
   * Where work nobody awaits runs (retires, crash restarts, orphan removals): failures logged, awaited on shutdown.
   * Default: one of the fleet's own (`Fleet.background`).
   */
  readonly background?: BackgroundSupervisor;
  /**
   * Keeps the service catalog in step with the instances (listed once healthy, their check mirroring the health
   * monitor, removed when they start draining, before they stop); absent when slipwayd runs without a catalog.
   */
  readonly instanceCatalog?: InstanceCatalogHooks;
  /** Bare mirrors of the git repositories Slipway knows; without them repository sources cannot be deployed. */
  readonly gitMirrors?: GitMirrors;
  /** The provider client and environment teardown previews use; without them a pull request event fails. */
  readonly previews?: PreviewServices;
  /** Reads a file of a repository at a commit (a stack's compose file); without it repository stacks are unavailable. */
  readonly repositoryFiles?: RepositoryFiles;
}
