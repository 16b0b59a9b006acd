/**
 * The control plane's metrics (prom-client): the core's `ControlPlaneMetrics` port (phases, deployments, job runs,
 * reconcile passes, restarts, the build queue), crash loops seen on the delivery events, and the webhook inbox's
 * handling. Series labelled with an app are dropped once the app is gone (`retainApps`).
 */
import { Counter, Gauge, Histogram, type Registry } from 'prom-client';
import type { ControlPlaneMetrics, DeliveryEvent, DeliveryEventSink } from '@slipway/core';

/** Boundaries (seconds) for work that takes from a second to an hour: phases, builds, deployments, job runs. */
const longWorkBucketsSeconds = [0.1, 0.5, 1, 2.5, 5, 10, 30, 60, 120, 300, 600, 1_800, 3_600];
/** Boundaries (seconds) for work of a few milliseconds to a few seconds: reconcile passes, webhook events. */
const shortWorkBucketsSeconds = [0.001, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30];

export interface SlipwaydControlPlaneMetrics extends ControlPlaneMetrics {
  /** Publishes to `sink` and counts crash loops. */
  teeDeliveryEvents(sink: DeliveryEventSink): DeliveryEventSink;
  /** One git event of the webhook inbox handled (`succeeded`) or failed by its handler (`failed`). */
  readonly webhookEventHandled: (event: { outcome: 'succeeded' | 'failed'; durationMs: number }) => void;
  /** Drops the series of apps not in `apps` (names). */
  retainApps(apps: ReadonlySet<string>): Promise<void>;
}

export function createControlPlaneMetrics(registry: Registry): SlipwaydControlPlaneMetrics {
  const registers = [registry];
  const phaseDuration = new Histogram({
    name: 'slipway_deployment_phase_duration_seconds',
    help: 'Duration of deployment phases (fetch, build, release, rollout, finalize), by phase and outcome',
    labelNames: ['phase', 'outcome'],
    buckets: longWorkBucketsSeconds,
    registers,
  });
  const buildDuration = new Histogram({
    name: 'slipway_build_duration_seconds',
    help: 'Duration of builds (the build phase of deployments), by outcome',
    labelNames: ['outcome'],
    buckets: longWorkBucketsSeconds,
    registers,
  });
  const deploymentDuration = new Histogram({
    name: 'slipway_deployment_duration_seconds',
    help: 'Duration of deployments from their creation to their end, by kind and final state',
    labelNames: ['kind', 'outcome'],
    buckets: longWorkBucketsSeconds,
    registers,
  });
  const jobDuration = new Histogram({
    name: 'slipway_job_run_duration_seconds',
    help: 'Duration of deployment job runs, by outcome (finished, interrupted, crashed)',
    labelNames: ['outcome'],
    buckets: longWorkBucketsSeconds,
    registers,
  });
  const reconcileDuration = new Histogram({
    name: 'slipway_reconcile_pass_duration_seconds',
    help: 'Duration of reconcile passes, by runtime and outcome',
    labelNames: ['runtime', 'outcome'],
    buckets: shortWorkBucketsSeconds,
    registers,
  });
  const restarts = new Counter({
    name: 'slipway_instance_restarts_total',
    help: 'Crashed instances restarted by the controller, by app, environment and process',
    labelNames: ['app', 'environment', 'process'],
    registers,
  });
  const crashLoops = new Counter({
    name: 'slipway_instance_crash_loops_total',
    help: 'Instances found crash-looping (restarted too often before becoming healthy), by app and environment',
    labelNames: ['app', 'environment'],
    registers,
  });
  const webhookDuration = new Histogram({
    name: 'slipway_webhook_event_duration_seconds',
    help: "Duration of handling the webhook inbox's git events, by outcome",
    labelNames: ['outcome'],
    buckets: shortWorkBucketsSeconds,
    registers,
  });
  let readBuildQueue: () => { waiting: number; running: number } = () => ({ waiting: 0, running: 0 });
  new Gauge({
    name: 'slipway_build_queue_depth',
    help: 'Builds waiting for a build slot',
    registers,
    collect() {
      this.set(readBuildQueue().waiting);
    },
  });
  new Gauge({
    name: 'slipway_builds_running',
    help: 'Builds holding a build slot',
    registers,
    collect() {
      this.set(readBuildQueue().running);
    },
  });
  const seconds = (ms: number): number => Math.max(0, ms) / 1_000;
  const appLabelled = [restarts, crashLoops];

  return {
    phaseFinished({ phase, state, durationMs }) {
      phaseDuration.observe({ phase, outcome: state }, seconds(durationMs));
      if (phase === 'build' && state !== 'skipped') buildDuration.observe({ outcome: state }, seconds(durationMs));
    },
    deploymentFinished({ kind, state, durationMs }) {
      deploymentDuration.observe({ kind, outcome: state }, seconds(durationMs));
    },
    jobRunFinished({ outcome, durationMs }) {
      jobDuration.observe({ outcome }, seconds(durationMs));
    },
    reconcilePassFinished({ runtime, outcome, durationMs }) {
      reconcileDuration.observe({ runtime, outcome }, seconds(durationMs));
    },
    instanceRestarted({ app, environment, process }) {
      restarts.inc({ app, environment, process });
    },
    observeBuildQueue(read) {
      readBuildQueue = read;
    },
    teeDeliveryEvents(sink) {
      return {
        publish(event: DeliveryEvent) {
          // A crash loop always names its app and environment (only alerts about the data dir's disk name neither).
          if (event.kind === 'instance.crash-loop' && event.app !== null && event.environment !== null) {
            crashLoops.inc({ app: event.app, environment: event.environment });
          }
          sink.publish(event);
        },
      };
    },
    webhookEventHandled({ outcome, durationMs }) {
      webhookDuration.observe({ outcome }, seconds(durationMs));
    },
    async retainApps(apps) {
      for (const metric of appLabelled) {
        for (const { labels } of (await metric.get()).values) {
          const app = labels.app;
          if (typeof app === 'string' && !apps.has(app)) metric.remove(labels);
        }
      }
    },
  };
}
