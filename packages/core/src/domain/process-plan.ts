/** Resolves a release's manifest into what runs: replicas, health checks, grace and strategy with their defaults. */
import type { HealthCheck, Manifest, Strategy } from '@slipway/contract';

export interface ResolvedProcess {
  name: string;
  command: string;
  replicas: number;
  healthCheck: HealthCheck;
  stopGraceMs: number;
  /**
   * Whether its instances serve on a port (and so get `PORT`): `web`, a process a route names, or one whose health
   * check connects to a port. A worker listens on none and is never probed on one.
   */
  listensOnPort: boolean;
}

/** Web processes are probed over HTTP by default: any answer below 500 on `/` means it serves. */
export const defaultWebHealthCheck: HealthCheck = {
  type: 'http',
  path: '/',
  intervalSeconds: 2,
  timeoutSeconds: 2,
  retries: 3,
  startPeriodSeconds: 60,
};

export const defaultStopGraceMs = 10_000;

/**
 * The entry of a release's processes that holds its release command (a Procfile's `release:`, as on Heroku): run once
 * per release before its rollout, never as a process type.
 */
export const releaseCommandName = 'release';

/** The release command of a release's processes, when it has one. */
export function releaseCommandOf(processes: Readonly<Record<string, { command: string }>>): string | undefined {
  return processes[releaseCommandName]?.command;
}

export const defaultStrategy: Strategy = {
  type: 'rolling',
  maxSurge: '25%',
  maxUnavailable: '25%',
  progressDeadlineSeconds: 600,
};

/** Replicas of a process type: the scale set by a person (or the autoscaler) wins, then the manifest's, then its autoscale min, then 1. */
export function resolveProcesses(
  processes: Readonly<Record<string, { command: string }>>,
  manifest: Manifest,
  scale: Readonly<Record<string, number>>,
): ResolvedProcess[] {
  return Object.entries(processes)
    .filter(([name]) => name !== releaseCommandName)
    .sort(([a], [b]) => (a === 'web' ? -1 : b === 'web' ? 1 : a.localeCompare(b)))
    .map(([name, { command }]) => {
      const spec = manifest.processes?.[name];
      const healthCheck = spec?.healthCheck ?? (name === 'web' ? defaultWebHealthCheck : { type: 'none' });
      return {
        name,
        command,
        replicas: scale[name] ?? spec?.replicas ?? spec?.autoscale?.min ?? 1,
        healthCheck,
        stopGraceMs: spec?.stopGraceSeconds === undefined ? defaultStopGraceMs : spec.stopGraceSeconds * 1000,
        listensOnPort:
          name === 'web' ||
          healthCheck.type === 'http' ||
          healthCheck.type === 'tcp' ||
          (manifest.routes ?? []).some((route) => route.process === name),
      };
    });
}

export function resolveStrategy(manifest: Manifest): Strategy {
  return manifest.strategy ?? defaultStrategy;
}
