/**
 * A real ACME CA for tests: Debian's `pebble` (Let's Encrypt's test CA) with its own TLS certificate, validating
 * for real (no `PEBBLE_VA_ALWAYS_VALID`) against the ports the edge listens on, resolving the test domains through
 * `pebble-challtestsrv`'s DNS server (every name is 127.0.0.1).
 */
import { spawn, execFileSync, type ChildProcess } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { Agent, request } from 'node:https';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { waitFor } from '@slipway/testkit';
import { freePort } from './free-port.js';

const programs = ['/usr/bin/pebble', '/usr/bin/pebble-challtestsrv', '/usr/bin/openssl'];

export const pebbleAvailability = {
  isAvailable: programs.every((program) => existsSync(program)),
  reason: `${programs.join(', ')} are needed (Debian's pebble and openssl packages)`,
};

export interface PebbleHarness {
  readonly directoryUrl: string;
  /** PEM file of the root of pebble's own HTTPS certificate (for `--acme-ca-file`). */
  readonly caFile: string;
  /** PEM of the root pebble signs certificates with (fetched from its management interface). */
  issuingRoot(): Promise<string>;
  output(): string;
  stop(): Promise<void>;
}

function httpsGet(url: string, ca: string): Promise<string> {
  return new Promise((resolve, reject) => {
    const req = request(url, { agent: new Agent({ ca }), timeout: 5_000 }, (res) => {
      let body = '';
      res.setEncoding('utf8');
      res.on('data', (chunk: string) => (body += chunk));
      res.on('end', () => (res.statusCode === 200 ? resolve(body) : reject(new Error(`${url}: ${res.statusCode}`))));
    });
    req.on('timeout', () => req.destroy(new Error(`${url}: no answer`)));
    req.on('error', reject);
    req.end();
  });
}

/**
 * A free port none of `taken` (ports drawn for listeners not bound yet, slipwayd's own) and none drawn before it:
 * free ports are drawn at random from one range, so two draws can meet.
 */
export async function freePortBesides(taken: number[]): Promise<number> {
  for (;;) {
    const port = await freePort();
    if (!taken.includes(port)) {
      taken.push(port);
      return port;
    }
  }
}

/**
 * Starts the DNS server and pebble, validating HTTP-01 on `httpPort` and TLS-ALPN-01 on `tlsPort` of 127.0.0.1;
 * its own ports are none of `taken`.
 */
export async function startPebble(ports: {
  httpPort: number;
  tlsPort: number;
  taken: number[];
}): Promise<PebbleHarness> {
  const dir = await mkdtemp(join(tmpdir(), 'slipway-pebble-'));
  const taken = [...ports.taken, ports.httpPort, ports.tlsPort];
  const [acmePort, managementPort, dnsPort, dnsManagementPort] = [
    await freePortBesides(taken),
    await freePortBesides(taken),
    await freePortBesides(taken),
    await freePortBesides(taken),
  ];
  const certFile = join(dir, 'pebble.crt');
  const keyFile = join(dir, 'pebble.key');
  execFileSync(
    'openssl',
    [
      'req',
      '-x509',
      '-newkey',
      'ec',
      '-pkeyopt',
      'ec_paramgen_curve:prime256v1',
      '-nodes',
      '-days',
      '2',
      '-keyout',
      keyFile,
      '-out',
      certFile,
      '-subj',
      '/CN=pebble',
      '-addext',
      'subjectAltName=DNS:localhost,IP:127.0.0.1',
    ],
    { stdio: 'ignore', timeout: 30_000 },
  );
  const configFile = join(dir, 'pebble.json');
  await writeFile(
    configFile,
    JSON.stringify({
      pebble: {
        listenAddress: `127.0.0.1:${acmePort}`,
        managementListenAddress: `127.0.0.1:${managementPort}`,
        certificate: certFile,
        privateKey: keyFile,
        httpPort: ports.httpPort,
        tlsPort: ports.tlsPort,
        ocspResponderURL: '',
        externalAccountBindingRequired: false,
      },
    }),
  );
  let output = '';
  const children: ChildProcess[] = [];
  const run = (program: string, args: string[], env: Record<string, string> = {}): ChildProcess => {
    const child = spawn(program, args, { env: { ...process.env, ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
    child.stdout?.on('data', (chunk: Buffer) => (output = (output + chunk.toString()).slice(-50_000)));
    child.stderr?.on('data', (chunk: Buffer) => (output = (output + chunk.toString()).slice(-50_000)));
    children.push(child);
    return child;
  };
  run('/usr/bin/pebble-challtestsrv', [
    '-dns01',
    `127.0.0.1:${dnsPort}`,
    '-management',
    `127.0.0.1:${dnsManagementPort}`,
    '-http01',
    '',
    '-https01',
    '',
    '-tlsalpn01',
    '',
    '-defaultIPv4',
    '127.0.0.1',
    '-defaultIPv6',
    '',
  ]);
  // No sleeps before validating, and no nonces refused at random: each order takes the same steps every run.
  run('/usr/bin/pebble', ['-config', configFile, '-dnsserver', `127.0.0.1:${dnsPort}`], {
    PEBBLE_VA_NOSLEEP: '1',
    PEBBLE_WFE_NONCEREJECT: '0',
  });
  const ca = await readFile(certFile, 'utf8');
  const directoryUrl = `https://127.0.0.1:${acmePort}/dir`;
  await waitFor(() => httpsGet(directoryUrl, ca), { timeoutMs: 20_000, intervalMs: 100 });
  return {
    directoryUrl,
    caFile: certFile,
    issuingRoot: () => httpsGet(`https://127.0.0.1:${managementPort}/roots/0`, ca),
    output: () => output,
    async stop() {
      await Promise.all(
        children.map(
          (child) =>
            new Promise<void>((resolve) => {
              if (child.exitCode !== null || child.signalCode !== null) return resolve();
              child.once('exit', () => resolve());
              child.kill('SIGKILL');
            }),
        ),
      );
      await rm(dir, { recursive: true, force: true });
    },
  };
}
