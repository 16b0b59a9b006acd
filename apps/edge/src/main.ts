/**
 * Entry of the edge router process: parses flags, starts the router (or takes over from a running one), stops it
 * gracefully on SIGTERM/SIGINT, and hands over to a successor on SIGUSR2 (or the admin `POST /handover`).
 */
import { readFileSync } from 'node:fs';
import { availableParallelism } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import {
  clientLimitFlagOptions,
  clientLimitFlagsUsage,
  parseClientLimitFlags,
  type ClientSettings,
} from './client-limit-flags.js';
import { isSlipwayError } from './slipway-error.js';
import { createJsonLineLog } from './edge-log.js';
import { receiveTakeover, takeOverFlag, type Takeover } from './handover.js';
import { parseListenAddress, type ListenAddress } from './listen-address.js';
import { startEdge } from './start-edge.js';
import { defaultListenFlag, defaultStateDirFlag } from './successor-plan.js';
import { noTrustedProxies, parseTrustedProxies, type TrustedProxies } from './trusted-proxies.js';
import { runTrafficWorker } from './traffic-worker.js';
import { trafficWorkerFlag } from './traffic-workers.js';
import { parseTracingFlags, tracingFlagOptions, tracingFlagsUsage } from './tracing-flags.js';
import { loadEdgeTracer, type EdgeTracingSettings } from './edge-tracer.js';

/** Exit codes the parent (slipwayd's edge adapter) tells apart. */
const exitCodes = { ok: 0, failed: 1, usage: 2, portUnavailable: 3 } as const;

const usage = `usage: edge [--listen HOST:PORT] [--state-dir DIR] [--access-log FILE|off] [--workers N|auto] [--tls-listen HOST:PORT --tls-cert FILE --tls-key FILE] [--trusted-proxies ADDR|CIDR,…] [--settings-fingerprint HEX] ${clientLimitFlagsUsage} ${tracingFlagsUsage}   (defaults: 127.0.0.1:8080, .slipway/edge, <state-dir>/access.log, 1, no HTTPS listener, none; limits and timeouts as in client-limits.ts)`;

/** The HTTPS listener's flags: all three or none; the PEM files are read here, so a bad path is a usage error. */
function parseTls(
  listen: string | undefined,
  certFile: string | undefined,
  keyFile: string | undefined,
): { listen: ListenAddress; cert: string; key: string } | undefined {
  if (listen === undefined && certFile === undefined && keyFile === undefined) return undefined;
  if (listen === undefined || certFile === undefined || keyFile === undefined) {
    throw new Error('--tls-listen, --tls-cert and --tls-key go together');
  }
  return {
    listen: parseListenAddress(listen),
    cert: readFileSync(certFile, 'utf8'),
    key: readFileSync(keyFile, 'utf8'),
  };
}

/** `auto` is one process per core. */
function parseWorkers(value: string): number {
  if (value === 'auto') return availableParallelism();
  const count = Number(value);
  if (!Number.isInteger(count) || count < 1 || count > 256) {
    throw new Error(`--workers takes a whole number from 1 to 256, or auto; got ${value}`);
  }
  return count;
}

async function main(): Promise<void> {
  const log = createJsonLineLog({ bindings: { component: 'edge' } });
  const exit = async (code: number): Promise<never> => {
    await log.flush();
    process.exit(code);
  };

  let listen;
  let stateDir: string;
  let accessLogFile: string | undefined;
  let isTakingOver = false;
  let isWorker = false;
  let workers = 1;
  let tls: ReturnType<typeof parseTls>;
  let trustedProxies: TrustedProxies = noTrustedProxies;
  let client: ClientSettings;
  let settingsFingerprint: string | undefined;
  let tracing: EdgeTracingSettings | undefined;
  try {
    const { values } = parseArgs({
      options: {
        listen: { type: 'string', default: defaultListenFlag },
        'state-dir': { type: 'string', default: defaultStateDirFlag },
        'access-log': { type: 'string' },
        'take-over': { type: 'boolean', default: false },
        workers: { type: 'string', default: '1' },
        'traffic-worker': { type: 'boolean', default: false },
        'tls-listen': { type: 'string' },
        'tls-cert': { type: 'string' },
        'tls-key': { type: 'string' },
        'trusted-proxies': { type: 'string' },
        'settings-fingerprint': { type: 'string' },
        ...clientLimitFlagOptions,
        ...tracingFlagOptions,
      },
      strict: true,
      allowPositionals: false,
    });
    listen = parseListenAddress(values.listen);
    stateDir = values['state-dir'];
    const accessLogFlag = values['access-log'] ?? join(stateDir, 'access.log');
    accessLogFile = accessLogFlag === 'off' ? undefined : accessLogFlag;
    isTakingOver = values['take-over'];
    isWorker = values['traffic-worker'];
    workers = parseWorkers(values.workers);
    if (values['trusted-proxies'] !== undefined) trustedProxies = parseTrustedProxies(values['trusted-proxies']);
    client = parseClientLimitFlags(values);
    tracing = parseTracingFlags(values);
    settingsFingerprint = values['settings-fingerprint'];
    if (settingsFingerprint !== undefined && !/^[0-9a-f]{1,128}$/.test(settingsFingerprint)) {
      throw new Error(`--settings-fingerprint takes up to 128 lowercase hex digits; got ${settingsFingerprint}`);
    }
    // Workers serve the plain listener only; the primary alone holds the HTTPS one.
    tls = isWorker ? undefined : parseTls(values['tls-listen'], values['tls-cert'], values['tls-key']);
  } catch (error) {
    process.stderr.write(`${(error as Error).message}\n${usage}\n`);
    return exit(exitCodes.usage);
  }

  process.on('uncaughtException', (error) => {
    log.error({ err: error }, 'edge router crashed');
    void exit(exitCodes.failed);
  });

  if (isWorker) {
    // The primary stops its workers itself (a Ctrl-C reaches the whole process group); no terminal to hang up.
    process.on('SIGINT', () => undefined);
    process.on('SIGHUP', () => undefined);
    // A worker is started with the primary's own flags, so it has the same limits, timeouts and trusted proxies.
    const tracer = tracing === undefined ? undefined : await loadEdgeTracer(tracing);
    await runTrafficWorker({ log, accessLogFile, trustedProxies, tracer, ...client });
    return exit(exitCodes.ok);
  }

  // The successor (and each traffic worker) runs this same program with the same flags.
  const handoverCommand = {
    entry: process.argv[1] ?? '',
    args: process.argv.slice(2).filter((arg) => arg !== takeOverFlag && arg !== trafficWorkerFlag),
  };
  let edge;
  try {
    const takeover: Takeover | undefined = isTakingOver ? await receiveTakeover(tls !== undefined) : undefined;
    edge = await startEdge({
      listen,
      stateDir,
      log,
      handoverCommand,
      workers,
      trustedProxies,
      ...client,
      ...(tls === undefined ? {} : { tls }),
      ...(accessLogFile === undefined ? {} : { accessLogFile }),
      ...(settingsFingerprint === undefined ? {} : { settingsFingerprint }),
      ...(tracing === undefined ? {} : { tracing }),
      ...(takeover === undefined ? {} : { takeover }),
    });
  } catch (error) {
    log.error({ err: error }, 'edge router failed to start');
    return exit(
      isSlipwayError(error) && error.code === 'PORT_UNAVAILABLE' ? exitCodes.portUnavailable : exitCodes.failed,
    );
  }

  const stop = (signal: NodeJS.Signals): void => {
    log.info({ signal }, 'signal received');
    edge.close().then(
      () => exit(exitCodes.ok),
      (error: unknown) => {
        log.error({ err: error }, 'edge router failed to stop cleanly');
        return exit(exitCodes.failed);
      },
    );
  };
  process.once('SIGTERM', stop);
  process.once('SIGINT', stop);
  process.on('SIGUSR2', () => {
    log.info({ signal: 'SIGUSR2' }, 'signal received');
    // A failed handover is logged by the router, which keeps serving.
    edge.handOver().catch(() => undefined);
  });
  // After a handover the router drains and stops by itself.
  void edge.stopped.then(() => exit(exitCodes.ok));
  // A detached router has no terminal; a hang-up must not end it.
  process.on('SIGHUP', () => undefined);
}

await main();
