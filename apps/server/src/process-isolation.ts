/**
 * Decides, once at start, whether process instances and builds run sandboxed (each project as its own user, in
 * bubblewrap) and builds the sandbox; says loudly, once, when they do not.
 */
import { join } from 'node:path';
import type { Logger } from 'pino';
import { createProcessSandbox, createSandboxUsers, probeProcessSandbox, type ProcessSandbox } from '@slipway/adapters';
import { SlipwayError } from '@slipway/contract';
import type { ResolvedConfig } from './config.js';

/** What `slipway status` shows: `sandbox`, or `none` and why. */
export interface ProcessIsolationView {
  mode: 'sandbox' | 'none';
  reason?: string;
}

export interface ProcessIsolation {
  view: ProcessIsolationView;
  /** Present when instances and builds run sandboxed. */
  sandbox?: ProcessSandbox;
}

/**
 * `auto`: sandboxed when the machine can (root, bubblewrap); `sandbox`: required, the start fails without it;
 * `none`: never. Errors: `RUNTIME_UNAVAILABLE` (`sandbox` asked for and not possible).
 */
export function resolveProcessIsolation(
  config: Pick<ResolvedConfig, 'isolation' | 'dataDir' | 'masterKeyFile' | 'tls' | 'edgeTls'>,
  readOnlyPaths: readonly string[],
  logger: Logger,
): ProcessIsolation {
  if (config.isolation === 'none') {
    const reason = 'isolation is set to none';
    warnNotIsolated(logger, reason);
    return { view: { mode: 'none', reason } };
  }
  const probe = probeProcessSandbox();
  if (!probe.isAvailable) {
    if (config.isolation === 'sandbox') {
      throw new SlipwayError('RUNTIME_UNAVAILABLE', `isolation: sandbox is not possible here: ${probe.reason}`, {
        details: { reason: probe.reason },
      });
    }
    warnNotIsolated(logger, probe.reason);
    return { view: { mode: 'none', reason: probe.reason } };
  }
  const sandbox = createProcessSandbox({
    users: createSandboxUsers({ file: join(config.dataDir, 'sandbox-users.json') }),
    readOnlyPaths,
    hiddenPaths: secretPaths(config),
  });
  logger.info('process instances and builds run sandboxed, each project as its own user');
  return { view: { mode: 'sandbox' }, sandbox };
}

/** The data dir and every key file slipwayd reads, wherever the operator put them. */
function secretPaths(config: Pick<ResolvedConfig, 'dataDir' | 'masterKeyFile' | 'tls' | 'edgeTls'>): string[] {
  const paths = [config.dataDir];
  if (config.masterKeyFile !== undefined) paths.push(config.masterKeyFile);
  if (config.tls.mode === 'files') paths.push(config.tls.keyFile);
  if (config.edgeTls?.keyFile !== undefined) paths.push(config.edgeTls.keyFile);
  return paths;
}

function warnNotIsolated(logger: Logger, reason: string): void {
  logger.warn(
    { reason },
    "process instances and builds are not isolated: they run as slipwayd's own user and can read its data dir " +
      '(master key, admin token, database) and other apps; run slipwayd as root with bubblewrap installed, or use ' +
      'the docker runtime',
  );
}
