/** The shape every builder's planner returns: shell steps to run in the source directory, and default process commands. */
import type { Manifest } from '@slipway/contract';

export interface BuildPlan {
  /** Shell command lines, run in order with `/bin/sh -c` in the source directory. */
  steps: string[];
  /** Default process commands (Procfile entries are laid over these by the builder). */
  processes: Record<string, { command: string }>;
}

export interface PlanContext {
  dir: string;
  manifest: Manifest;
  nodePath: string;
  npmPath: string | undefined;
  pythonPath: string;
  staticServerPath: string;
}
