/**
 * `template watch`: renders a template, then blocks on each catalog query the last render made; a changed answer
 * renders again once changes settle (min/max wait), the output replaces the destination atomically only when it
 * differs, and then the reload command runs. Runs until its signal is aborted, then stops every query it started.
 */
import { readFile, stat } from 'node:fs/promises';
import { writeFileAtomic } from '@slipway/atomic-file';
import type { CatalogClient } from '../catalog/catalog-client.js';
import { renderCatalogTemplate } from './catalog-template-render.js';
import {
  fetchDependency,
  isSameValue,
  type CatalogDependency,
  type DependencyResult,
} from './catalog-template-functions.js';
import { createDebouncer, realTimers, type DebounceTimers } from './debouncer.js';
import { runReloadCommand } from './reload-command.js';
import type { ParsedTemplate } from './template-parser.js';

export interface TemplateWatchOptions {
  template: ParsedTemplate;
  client: CatalogClient;
  destination: string;
  /** Permission bits of the output; default: the existing file's, else 0644. */
  mode: number | undefined;
  /** Run with `sh -c` after each write; none: only write. */
  command: string | undefined;
  commandTimeoutMs: number;
  waitMinMs: number;
  waitMaxMs: number;
  /** `?wait=` of the blocking queries. */
  blockingWaitMs: number;
  signal: AbortSignal;
  cwd: string;
  env: Readonly<Record<string, string | undefined>>;
  log: (line: string) => void;
  timers?: DebounceTimers;
}

const maxRetryDelayMs = 30_000;
/** A blocking query that comes back this fast with nothing new is not waited on again at once. */
const quickReturnMs = 100;
const quickReturnPauseMs = 1_000;

function sleep(delayMs: number, signal: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    if (signal.aborted) return resolve();
    const timer = setTimeout(done, delayMs);
    function done() {
      clearTimeout(timer);
      signal.removeEventListener('abort', done);
      resolve();
    }
    signal.addEventListener('abort', done, { once: true });
  });
}

async function currentFile(path: string): Promise<{ content: string | undefined; mode: number | undefined }> {
  try {
    const [content, info] = await Promise.all([readFile(path, 'utf8'), stat(path)]);
    return { content, mode: info.mode & 0o777 };
  } catch {
    return { content: undefined, mode: undefined };
  }
}

export async function watchTemplate(options: TemplateWatchOptions): Promise<void> {
  const { client, log, signal } = options;
  const cache = new Map<string, DependencyResult>();
  const loops = new Map<string, { controller: AbortController; done: Promise<void> }>();
  const existing = await currentFile(options.destination);
  let written = existing.content;
  const mode = options.mode ?? existing.mode ?? 0o644;
  let lastProblem: string | undefined;
  let renderFailures = 0;
  let retryTimer: NodeJS.Timeout | undefined;

  const report = (problem: string) => {
    if (problem === lastProblem) return;
    lastProblem = problem;
    log(problem);
  };

  const watchDependency = async (id: string, dependency: CatalogDependency, loopSignal: AbortSignal) => {
    let failures = 0;
    while (!loopSignal.aborted) {
      const previous = cache.get(id);
      const startedMs = Date.now();
      try {
        const result = await fetchDependency(client, dependency, {
          index: previous?.index ?? 0,
          waitMs: options.blockingWaitMs,
          signal: loopSignal,
        });
        if (loopSignal.aborted) return;
        failures = 0;
        cache.set(id, result);
        if (previous === undefined || !isSameValue(previous.value, result.value)) debouncer.trigger();
        else if (result.index === previous.index && Date.now() - startedMs < quickReturnMs) {
          await sleep(quickReturnPauseMs, loopSignal);
        }
      } catch (error) {
        if (loopSignal.aborted) return;
        failures += 1;
        report(`cannot watch ${id}: ${error instanceof Error ? error.message : String(error)}; retrying`);
        await sleep(Math.min(maxRetryDelayMs, 500 * 2 ** Math.min(failures, 6)), loopSignal);
      }
    }
  };

  /** Watches exactly the queries of the last render. */
  const syncWatches = (dependencies: Map<string, CatalogDependency>) => {
    for (const [id, loop] of loops) {
      if (dependencies.has(id)) continue;
      loop.controller.abort();
      loops.delete(id);
      cache.delete(id);
    }
    for (const [id, dependency] of dependencies) {
      if (loops.has(id)) continue;
      const controller = new AbortController();
      const loopSignal = AbortSignal.any([signal, controller.signal]);
      loops.set(id, { controller, done: watchDependency(id, dependency, loopSignal) });
    }
  };

  const renderOnce = async () => {
    if (signal.aborted) return;
    let result;
    try {
      result = await renderCatalogTemplate(options.template, { client, cache });
    } catch (error) {
      // The catalog cannot be reached: try again later, less and less often.
      renderFailures += 1;
      report(`cannot render: ${error instanceof Error ? error.message : String(error)}; retrying`);
      retryTimer = setTimeout(
        () => debouncer.trigger(),
        Math.min(maxRetryDelayMs, 500 * 2 ** Math.min(renderFailures, 6)),
      );
      return;
    }
    renderFailures = 0;
    syncWatches(result.dependencies);
    if (!result.isRendered) {
      report(result.error.isMissingData ? `waiting: ${result.error.message}` : `error: ${result.error.message}`);
      return;
    }
    lastProblem = undefined;
    if (result.output === written) return;
    await writeFileAtomic(options.destination, result.output, { mode });
    written = result.output;
    log(`rendered ${options.destination}`);
    if (options.command === undefined) return;
    const outcome = await runReloadCommand(options.command, {
      timeoutMs: options.commandTimeoutMs,
      cwd: options.cwd,
      env: options.env,
      onOutput: (line) => log(`  ${line}`),
    });
    if (outcome.isTimedOut) log(`the command did not finish within ${options.commandTimeoutMs} ms and was killed`);
    else if (outcome.exitCode !== 0) log(`the command exited with ${outcome.exitCode ?? 'a signal'}`);
  };

  let queue = Promise.resolve();
  const enqueueRender = () => {
    queue = queue.then(renderOnce).catch((error: unknown) => {
      log(`cannot write ${options.destination}: ${error instanceof Error ? error.message : String(error)}`);
    });
  };
  const debouncer = createDebouncer({
    minMs: options.waitMinMs,
    maxMs: options.waitMaxMs,
    onFire: enqueueRender,
    timers: options.timers ?? realTimers,
  });

  enqueueRender();
  await new Promise<void>((resolve) => {
    if (signal.aborted) resolve();
    else signal.addEventListener('abort', () => resolve(), { once: true });
  });
  debouncer.cancel();
  if (retryTimer !== undefined) clearTimeout(retryTimer);
  for (const loop of loops.values()) loop.controller.abort();
  await Promise.all([queue, ...[...loops.values()].map((loop) => loop.done)]);
}
