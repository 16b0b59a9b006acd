/** The shape every builder's planner returns: shell steps to run in the source directory, and default process commands. */
import type { Manifest } from '@slipway/contract';

/**
 * Installing the dependencies into one directory of the tree (`node_modules`, `.venv`). The build cache may replace
 * the steps by a copy of that directory from an earlier build with the same key.
 */
export interface DependencyInstall {
  /** Shell command lines, run in order; on a cache hit they are not run at all. */
  steps: string[];
  /** The directory the steps fill, relative to the source root. */
  outputDir: string;
  /**
   * What the result depends on besides the files: the toolchain (`node 20.20.2`, `python 3.11.7 /usr/bin/python3.11`).
   * With `keyFiles`, it makes the cache key; without `keyFiles` the install is never cached.
   */
  toolchain: string;
  /** Files whose bytes decide the result (a lockfile); empty when the install also depends on the app's own code. */
  keyFiles: string[];
  /** What else of the source decides the result (package.json's dependency fields, not its version or scripts). */
  keyText?: string;
  /** Run after the steps, before the directory is cached: e.g. making a virtualenv's scripts relocatable. */
  finish?: (dir: string) => Promise<void>;
}

export interface BuildPlan {
  /** Dependencies to install first, when there are any. */
  install?: DependencyInstall;
  /** Shell command lines, run in order with `/bin/sh -c` in the source directory, after the install. */
  steps: string[];
  /** Shell command lines run last (pruning what only the build needed). */
  finalSteps?: string[];
  /** Default process commands (Procfile entries are laid over these by the builder). */
  processes: Record<string, { command: string }>;
  /**
   * A shell fragment run before every process command of the release (the manifest's and the release command
   * included), ending in `;`: what the installed app needs at run time (its tools' directory first on PATH,
   * NODE_ENV), relative to the working directory so it holds wherever the release is.
   */
  runtimePrefix?: string;
}

export interface PlanContext {
  dir: string;
  manifest: Manifest;
  nodePath: string;
  npmPath: string | undefined;
  pythonPath: string;
  staticServerPath: string;
  /** The PATH the build sees, where the planner looks for interpreters and tools. */
  path: string;
  /** Whether the build's steps can run a program at this path (a sandboxed build sees only some of the machine). */
  isRunnable: (path: string) => boolean;
  log: (line: string) => void;
}
