/** A `ControlPlaneMetrics` that records every report, for core tests that check what the core measured. */
import type { ControlPlaneMetrics } from '@slipway/core';

export type ControlPlaneReport =
  | ({ report: 'phase' } & Parameters<ControlPlaneMetrics['phaseFinished']>[0])
  | ({ report: 'deployment' } & Parameters<ControlPlaneMetrics['deploymentFinished']>[0])
  | ({ report: 'job-run' } & Parameters<ControlPlaneMetrics['jobRunFinished']>[0])
  | ({ report: 'reconcile-pass' } & Parameters<ControlPlaneMetrics['reconcilePassFinished']>[0])
  | ({ report: 'restart' } & Parameters<ControlPlaneMetrics['instanceRestarted']>[0]);

export interface RecordingControlPlaneMetrics {
  readonly metrics: ControlPlaneMetrics;
  readonly reports: readonly ControlPlaneReport[];
  /** The build queue as last handed over (zeros before). */
  buildQueue(): { waiting: number; running: number };
}

export function createRecordingControlPlaneMetrics(): RecordingControlPlaneMetrics {
  const reports: ControlPlaneReport[] = [];
  let readBuildQueue = (): { waiting: number; running: number } => ({ waiting: 0, running: 0 });
  return {
    reports,
    buildQueue: () => readBuildQueue(),
    metrics: {
      phaseFinished: (event) => void reports.push({ report: 'phase', ...event }),
      deploymentFinished: (event) => void reports.push({ report: 'deployment', ...event }),
      jobRunFinished: (event) => void reports.push({ report: 'job-run', ...event }),
      reconcilePassFinished: (event) => void reports.push({ report: 'reconcile-pass', ...event }),
      instanceRestarted: (event) => void reports.push({ report: 'restart', ...event }),
      observeBuildQueue: (read) => {
        readBuildQueue = read;
      },
    },
  };
}
