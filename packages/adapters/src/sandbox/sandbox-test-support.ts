/** For tests: why the process sandbox suites cannot run here, or undefined when they can (tests only). */
import { probeProcessSandbox } from './process-sandbox.js';

/** With `SLIPWAY_REQUIRE_INTEGRATION` set (CI), a machine that cannot sandbox fails instead of skipping. */
export function sandboxSkipReason(): string | undefined {
  const probe = probeProcessSandbox();
  if (probe.isAvailable) return undefined;
  const reason = `no process sandbox on this machine: ${probe.reason}`;
  if (process.env['SLIPWAY_REQUIRE_INTEGRATION']) throw new Error(`SLIPWAY_REQUIRE_INTEGRATION is set but ${reason}`);
  return reason;
}
