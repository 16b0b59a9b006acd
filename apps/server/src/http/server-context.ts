/** What the HTTP app receives from the composition root. */
import type { SystemInfoView } from '@slipway/contract';
import type {
  AppsOverviewDeps,
  AuditLog,
  Catalog,
  CatalogAuthority,
  CatalogBrowser,
  CatalogKvEditor,
  CoreDeps,
  DomainServing,
  Fleet,
  IdentityDeps,
  JobWorker,
  Principal,
} from '@slipway/core';
import type { AuditRecorder } from '../audit-recorder.js';
import type { ResolvedConfig } from '../config.js';
import type { WebhookIntake } from '../git-webhook-intake.js';
import type { ServerTracing } from '../tracing/server-tracing.js';
import type { MasterKeyRotation } from '../master-key-rotation.js';
import type { SlipwaydMetrics } from '../metrics/slipwayd-metrics.js';
import type { ProcessIsolationView } from '../process-isolation.js';
import type { LiveHub } from './live/live-hub.js';
import type { RateLimitCounterSource } from './rate-limit/rate-limit-hooks.js';

export interface ServerContext {
  readonly deps: CoreDeps;
  readonly fleet: Fleet;
  readonly worker: JobWorker;
  /** Users, tokens, sessions and the crypto behind them. */
  readonly identity: IdentityDeps;
  readonly masterKeyRotation: MasterKeyRotation;
  /** The hash-chained audit log, and what appends to it (request records, security events). */
  readonly audit: AuditLog;
  readonly auditRecorder: AuditRecorder;
  readonly config: ResolvedConfig;
  readonly version: string;
  readonly startedAtMs: number;
  isShuttingDown(): boolean;
  /** Where the API is served: `http://host:port`, or `https://…` over TLS. */
  apiUrl(): string;
  /** Aborted when slipwayd starts shutting down: long-lived streams end so the server can close. */
  readonly shutdownSignal: AbortSignal;
  /**
   * Asks slipwayd to stop once the current request is answered: itself alone, or every app instance and the edge
   * first; absent in tests that build a bare context.
   */
  readonly requestStop?: (scope: 'slipwayd' | 'everything') => void;
  /** Whether process instances run sandboxed (shown by status); absent in tests that build a bare context. */
  readonly processIsolation?: ProcessIsolationView;
  /**
   * The service catalog, read and edited by the dashboard's catalog routes and the live stream's `catalog` topic;
   * absent in tests that build a bare context.
   */
  readonly catalog?: CatalogBrowser & CatalogKvEditor & Pick<Catalog, 'kvKeys'>;
  /** The catalog authority of an authenticated caller (its ACL rules); absent in tests that build a bare context. */
  readonly catalogAccess?: { authorizePrincipal(principal: Principal): Promise<CatalogAuthority> };
  /** Where the service catalog listens (system info); absent in tests that build a bare context. */
  readonly catalogAddresses?: () => SystemInfoView['catalog'];
  /** Where webhook deliveries are limited and the inbox's processor woken; absent in tests that build a bare context. */
  readonly webhookIntake?: WebhookIntake;
  /** The certificate manager of custom domains; absent in tests that build a bare context. */
  readonly domains?: { readonly serving: DomainServing; poke(): void };
  /** What `GET /metrics` serves and where API requests are measured; absent in tests that build a bare context. */
  readonly metrics?: SlipwaydMetrics;
  /** Spans API requests when tracing is on (docs/tracing.md); absent in tests that build a bare context. */
  readonly tracing?: Pick<ServerTracing, 'installApi'>;
}

/**
 * What route handlers receive: the server's context and what the HTTP app itself owns (the rate limiter's counters,
 * the live streams' shared watchers).
 */
export interface RouteContext extends ServerContext {
  readonly rateLimits: RateLimitCounterSource;
  readonly liveHub: LiveHub;
  /** What the apps overview reads with (shared with the live stream's `apps:` and `app:` topics). */
  readonly appsOverview: AppsOverviewDeps;
}
