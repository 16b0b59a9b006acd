/** Entry of the `slipwayd` process: resolve config, start, and stop in order on SIGTERM/SIGINT. */
import { formatListenAddress } from '@slipway/adapters';
import { isSlipwayError } from '@slipway/contract';
import { resolveConfig, usage } from './config.js';
import { startSlipwayd } from './start-slipwayd.js';

/** An orderly stop that takes longer than this is cut short; running deployments resume on the next start. */
const shutdownBoundMs = 15_000;
/** Stopping everything also waits for each app instance's stop grace and the edge's drain. */
const stopEverythingBoundMs = 120_000;

async function main(): Promise<void> {
  const config = resolveConfig(process.argv.slice(2), process.env, process.cwd());
  if (config === 'help') {
    process.stdout.write(usage);
    return;
  }
  // Taken out of the environment at once: nothing slipwayd starts (the edge, builds) may inherit a master key.
  const masterKey = process.env.SLIPWAY_MASTER_KEY;
  const previousMasterKeys = process.env.SLIPWAY_PREVIOUS_MASTER_KEYS;
  const smtpPassword = process.env.SLIPWAY_SMTP_PASSWORD;
  delete process.env.SLIPWAY_MASTER_KEY;
  delete process.env.SLIPWAY_PREVIOUS_MASTER_KEYS;
  delete process.env.SLIPWAY_SMTP_PASSWORD;
  let stop = (_why: string, _boundMs: number): void => undefined;
  const slipwayd = await startSlipwayd(config, {
    failpoints: process.env.SLIPWAY_FAILPOINTS,
    masterKey,
    previousMasterKeys,
    smtpPassword: smtpPassword === '' ? undefined : smtpPassword,
    onStopRequested: (scope) =>
      scope === 'everything'
        ? stop('stop requested over the API, stopping every app instance, the edge and slipwayd', stopEverythingBoundMs)
        : stop('stop requested over the API, stopping (apps and the edge keep running)', shutdownBoundMs),
  });
  process.stdout.write(
    `slipwayd ${config.nodeName} ready — API ${slipwayd.url}, edge http://${formatListenAddress(config.edge)}${config.edgeTls === undefined ? '' : ` and https://${formatListenAddress(config.edgeTls.listen)}`}, data ${config.dataDir}\n`,
  );
  let isStopping = false;
  stop = (why: string, boundMs: number): void => {
    if (isStopping) return;
    isStopping = true;
    process.stdout.write(`slipwayd: ${why}\n`);
    setTimeout(() => process.exit(1), boundMs).unref();
    slipwayd.close().then(
      () => process.exit(0),
      () => process.exit(1),
    );
  };
  for (const signal of ['SIGTERM', 'SIGINT'] as const)
    process.on(signal, () => stop(`${signal}, stopping (apps and the edge keep running)`, shutdownBoundMs));
}

main().catch((error: unknown) => {
  if (isSlipwayError(error)) process.stderr.write(`slipwayd: ${error.code}: ${error.message}\n`);
  else process.stderr.write(`slipwayd: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`);
  process.exit(1);
});
