/**
 * The connection to a Docker Engine (unix socket, or TCP with TLS) shared by the Docker and Swarm drivers, the image
 * builder and the image store, and the one translation of the engine's failures into Slipway's error model.
 */
import { AsyncLocalStorage } from 'node:async_hooks';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import Docker from 'dockerode';
import { isSlipwayError, SlipwayError } from '@slipway/contract';
import { abortableCall } from '@slipway/core';

export type DockerClient = Docker;

export interface DockerEngineOptions {
  /** `unix:///var/run/docker.sock`, `tcp://host:2376`; default: `DOCKER_HOST`, else the local socket. */
  host?: string;
  /** PEM files for TCP with TLS; default: `DOCKER_CERT_PATH` when `DOCKER_TLS_VERIFY` is set. */
  tls?: { caFile: string; certFile: string; keyFile: string };
}

export interface DockerEngine {
  readonly client: DockerClient;
  /** Where the engine is reached, for messages (`unix:///var/run/docker.sock`). */
  readonly address: string;
  /** Resolves when the engine answers; `RUNTIME_UNAVAILABLE` when it does not. */
  ping(): Promise<void>;
  /**
   * Runs `work` under a deadline: every request it makes to the engine (through `client`, however deep) carries
   * `signal`, so when it aborts they are cut, and the call rejects at once with the coded error of
   * `abortableCall` (`RUNTIME_TIMEOUT`, or the signal's own `SlipwayError`). Without a signal, just runs it.
   */
  withSignal<T>(signal: AbortSignal | undefined, work: () => Promise<T>): Promise<T>;
}

interface DialOptions {
  abortSignal?: AbortSignal;
}

/** Every object Slipway creates on an engine carries this label, valued with the namespace of the slipwayd owning it. */
export const namespaceLabel = 'slipway.namespace';

export function createDockerEngine(options: DockerEngineOptions = {}): DockerEngine {
  const address = options.host ?? process.env['DOCKER_HOST'] ?? 'unix:///var/run/docker.sock';
  const tls = options.tls ?? tlsFromEnv();
  const client = new Docker(connectionOf(address, tls));
  // dockerode takes an `abortSignal` per call; rather than thread it through every call of the drivers, the signal of
  // the runtime call in progress is found here, where every request to the engine goes out.
  const callSignal = new AsyncLocalStorage<AbortSignal>();
  const modem = client.modem as { dial(options: DialOptions, callback: unknown): unknown };
  const dial = modem.dial.bind(modem);
  modem.dial = (dialOptions, callback) => {
    const signal = callSignal.getStore();
    if (signal !== undefined && dialOptions.abortSignal === undefined) dialOptions.abortSignal = signal;
    return dial(dialOptions, callback);
  };
  return {
    client,
    address,
    withSignal: (signal, work) =>
      signal === undefined ? work() : abortableCall(signal, () => callSignal.run(signal, work), `a call to ${address}`),
    async ping() {
      try {
        await client.ping();
      } catch (error) {
        throw engineError(error, `the Docker Engine at ${address}`);
      }
    },
  };
}

function connectionOf(address: string, tls: DockerEngineOptions['tls']): Docker.DockerOptions {
  if (address.startsWith('unix://')) return { socketPath: address.slice('unix://'.length) };
  if (address.startsWith('/')) return { socketPath: address };
  const url = new URL(address.replace(/^tcp:/, tls ? 'https:' : 'http:'));
  const base = { host: url.hostname, port: Number(url.port || (tls ? 2376 : 2375)) };
  if (!tls) return { ...base, protocol: 'http' };
  return {
    ...base,
    protocol: 'https',
    ca: readFileSync(tls.caFile),
    cert: readFileSync(tls.certFile),
    key: readFileSync(tls.keyFile),
  };
}

function tlsFromEnv(): DockerEngineOptions['tls'] {
  const certPath = process.env['DOCKER_CERT_PATH'];
  if (!process.env['DOCKER_TLS_VERIFY'] || !certPath) return undefined;
  return { caFile: join(certPath, 'ca.pem'), certFile: join(certPath, 'cert.pem'), keyFile: join(certPath, 'key.pem') };
}

const unreachableCodes = new Set([
  'ECONNREFUSED',
  'ENOENT',
  'EACCES',
  'ECONNRESET',
  'EPIPE',
  'ETIMEDOUT',
  'EHOSTUNREACH',
]);

/** The engine's HTTP status for a failed call, or undefined when the call never got an answer. */
export function engineStatusOf(error: unknown): number | undefined {
  const status = (error as { statusCode?: unknown } | null)?.statusCode;
  return typeof status === 'number' ? status : undefined;
}

/** The engine's own message for a failed call (`No such image: x`), else the error's message. */
export function engineMessageOf(error: unknown): string {
  const json = (error as { json?: unknown } | null)?.json;
  if (json && typeof json === 'object' && typeof (json as { message?: unknown }).message === 'string') {
    return (json as { message: string }).message;
  }
  const reason = (error as { reason?: unknown } | null)?.reason;
  const message = error instanceof Error ? error.message : String(error);
  // dockerode leaves the error body of a streamed call (build, pull) unparsed: "(HTTP code 400) unexpected - <message>".
  const unparsed = /^\(HTTP code \d+\) [^-]*- ([\s\S]*)$/.exec(message)?.[1]?.trim();
  if (unparsed !== undefined && unparsed !== '') return unparsed;
  return typeof reason === 'string' && !message.includes(reason) ? `${reason}: ${message}` : message;
}

/**
 * A failed engine call as a SlipwayError: `RUNTIME_UNAVAILABLE` when the engine did not answer, `RUNTIME_ERROR`
 * with the engine's message otherwise. A SlipwayError passes through. Callers handle the statuses they expect
 * (404, 409) before calling this.
 */
export function engineError(error: unknown, what: string): SlipwayError {
  if (isSlipwayError(error)) return error;
  const code = (error as { code?: unknown } | null)?.code;
  if (engineStatusOf(error) === undefined && (typeof code !== 'string' || unreachableCodes.has(code))) {
    return new SlipwayError(
      'RUNTIME_UNAVAILABLE',
      `${what} does not answer (${engineMessageOf(error)}): start the engine, or check DOCKER_HOST`,
      { cause: error },
    );
  }
  return new SlipwayError('RUNTIME_ERROR', `${what}: ${engineMessageOf(error)}`, {
    cause: error,
    details: { engineStatus: engineStatusOf(error) ?? null },
  });
}
