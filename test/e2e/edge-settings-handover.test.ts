/**
 * Changed edge settings on a restart of slipwayd, proven from outside: constant keep-alive load through the edge
 * while slipwayd is restarted with an HTTPS listener and a client limit the running edge does not have. The running
 * edge hands over to one with the new settings: no request fails, the new settings apply, the old edge exits. A
 * change that cannot be handed over (the new address is held by another process) is refused, naming what to do, and
 * the old edge keeps serving. The test counts, never times.
 */
import { cp, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { request as httpsRequest } from 'node:https';
import { connect, createServer, type Server, type Socket } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ensureSelfSignedCertificate, type TlsCertificate } from '@slipway/adapters';
import { waitFor } from '@slipway/testkit';
import { startLoad } from './load-generator.js';
import { edgeGet, fixturesDir, freePort, SlipwaydHarness } from './slipwayd-harness.js';

const host = 'steady.localhost';
/** Above the load's connections, so the load alone never meets it. */
const perAddressLimit = 12;
const loadConnections = 8;

describe('changing edge settings on a restart of slipwayd', () => {
  let slipwayd: SlipwaydHarness;
  let certificate: TlsCertificate;
  let securePort: number;
  const dirs: string[] = [];
  const edgePids = new Set<number>();

  const edgePid = async (): Promise<number> =>
    Number.parseInt(await readFile(join(slipwayd.dataDir, 'edge', 'edge.pid'), 'utf8'), 10);

  const isAlive = (pid: number): boolean => {
    try {
      process.kill(pid, 0);
      return true;
    } catch {
      return false;
    }
  };

  /** An HTTPS listener with the operator's certificate, and a client limit the first edge does not have. */
  const newSettings = (): string[] => [
    '--edge-tls',
    `127.0.0.1:${securePort}`,
    '--edge-tls-cert',
    certificate.certFile,
    '--edge-tls-key',
    certificate.keyFile,
    '--edge-max-connections-per-address',
    String(perAddressLimit),
  ];

  const restart = async (args: readonly string[]): Promise<void> => {
    await slipwayd.kill('SIGTERM');
    await slipwayd.start({ args });
  };

  beforeAll(async () => {
    const dir = await mkdtemp(join(tmpdir(), 'slipway-edge-settings-'));
    dirs.push(dir);
    // Made here, not slipwayd's own: an operator's certificate files.
    certificate = await ensureSelfSignedCertificate(join(dir, 'tls'));
    securePort = await freePort();
    const app = join(dir, 'app');
    await cp(join(fixturesDir, 'hello-node'), app, { recursive: true });
    await writeFile(
      join(app, 'slipway.yaml'),
      'processes:\n  web:\n    replicas: 2\n    healthCheck: { type: http, path: /healthz, intervalSeconds: 1 }\n',
    );
    slipwayd = await SlipwaydHarness.create();
    await slipwayd.start();
    await slipwayd.api.apps.create({ name: 'steady' });
    const { deployment } = await slipwayd.api.deployments.create('steady', { path: app });
    expect((await slipwayd.settle(deployment.id)).state).toBe('succeeded');
    await waitFor(async () => expect((await slipwayd.edge(host)).status).toBe(200));
    edgePids.add(await edgePid());
  });

  afterAll(async () => {
    await slipwayd.destroy();
    for (const pid of edgePids) {
      try {
        process.kill(pid, 'SIGKILL');
      } catch {
        // Gone already.
      }
    }
    await Promise.all(dirs.map((dir) => rm(dir, { recursive: true, force: true })));
  });

  it('hands the running edge over to one with the new TLS listener and client limit, dropping no request', async () => {
    const oldPid = await edgePid();
    const load = startLoad({ port: slipwayd.edgePort, host, connections: loadConnections });
    let newPid: number;
    try {
      await waitFor(() => expect(load.counts().ok).toBeGreaterThan(200));
      await restart(newSettings());
      // slipwayd is ready once the successor answers it: the pid file is the successor's by then.
      newPid = await edgePid();
      edgePids.add(newPid);
      expect(newPid).not.toBe(oldPid);
      await waitFor(() => expect(isAlive(oldPid)).toBe(false), { timeoutMs: 30_000 });
      // The successor serves the load alone now.
      const sentAfterHandover = load.counts().sent;
      await waitFor(() => expect(load.counts().sent).toBeGreaterThan(sentAfterHandover + 200));
    } finally {
      const counts = await load.stop();
      expect({ failedByStatus: counts.failedByStatus, errors: counts.errors }).toEqual({
        failedByStatus: {},
        errors: {},
      });
      expect(counts.ok).toBe(counts.sent);
    }

    // The HTTPS listener answers, with the operator's certificate.
    expect(await secureGet(securePort, certificate.cert)).toMatchObject({ status: 200 });
    // The new limit is enforced: of more connections from one address than it allows, the extra ones are refused.
    const statuses = await holdConnections(slipwayd.edgePort, perAddressLimit + 3);
    expect(statuses.filter((status) => status === 200).length).toBeLessThanOrEqual(perAddressLimit);
    expect(statuses.filter((status) => status === 429).length).toBeGreaterThanOrEqual(3);
    expect(statuses.every((status) => status === 200 || status === 429)).toBe(true);

    // Restarted again with the same settings, slipwayd adopts the edge as it is.
    await restart(newSettings());
    expect(await edgePid()).toBe(newPid);
  });

  it('hands over to an edge with the renewed certificate when its files change in place', async () => {
    const previousPid = await edgePid();
    const renewed = await ensureSelfSignedCertificate(join(dirs[0] ?? '', 'renewed-tls'));
    await writeFile(certificate.certFile, renewed.cert);
    await writeFile(certificate.keyFile, renewed.key);
    await restart(newSettings());
    const renewedPid = await edgePid();
    edgePids.add(renewedPid);
    expect(renewedPid).not.toBe(previousPid);
    await waitFor(() => expect(isAlive(previousPid)).toBe(false), { timeoutMs: 30_000 });
    expect(await secureGet(securePort, renewed.cert)).toMatchObject({ status: 200 });
    await expect(secureGet(securePort, certificate.cert)).rejects.toThrow(/self[- ]signed|certificate/i);
  });

  it('refuses a new edge address another process holds, naming what to do, and the old edge keeps serving', async () => {
    const servingPid = await edgePid();
    const holder = createServer();
    const heldPort = await new Promise<number>((resolve) =>
      holder.listen(0, '127.0.0.1', () => resolve((holder.address() as { port: number }).port)),
    );
    try {
      await slipwayd.kill('SIGTERM');
      const refused = slipwayd.start({ args: ['--edge', `127.0.0.1:${heldPort}`] });
      await expect(refused).rejects.toThrow(/START_FAILED/);
      expect(slipwayd.output).toContain(`kill ${servingPid}`);
      expect(slipwayd.output).toContain(`127.0.0.1:${heldPort}`);
      expect(await edgePid()).toBe(servingPid);
      expect(isAlive(servingPid)).toBe(true);
      expect((await slipwayd.edge(host)).status).toBe(200);
    } finally {
      await closeServer(holder);
    }
    // With the address free, slipwayd moves the edge there (and on its original one no more).
    await slipwayd.start({ args: ['--edge', `127.0.0.1:${heldPort}`] });
    const movedPid = await edgePid();
    edgePids.add(movedPid);
    expect(movedPid).not.toBe(servingPid);
    await waitFor(() => expect(isAlive(servingPid)).toBe(false), { timeoutMs: 30_000 });
    expect((await edgeGet(heldPort, host)).status).toBe(200);
    await expect(edgeGet(slipwayd.edgePort, host)).rejects.toThrow(/ECONNREFUSED/);
  });
});

function secureGet(port: number, ca: string): Promise<{ status: number; body: string }> {
  return new Promise((resolve, reject) => {
    const req = httpsRequest(
      { host: '127.0.0.1', port, servername: 'localhost', ca, headers: { host }, agent: false },
      (res) => {
        let text = '';
        res.on('data', (chunk: Buffer) => (text += chunk.toString()));
        res.on('end', () => resolve({ status: res.statusCode ?? 0, body: text }));
      },
    );
    req.setTimeout(10_000, () => req.destroy(new Error('no answer within 10 s')));
    req.on('error', reject);
    req.end();
  });
}

/**
 * Opens `count` connections one after the other, each sending a keep-alive request and kept open once answered;
 * returns each one's status (0 when the connection ended without one), then closes them all.
 */
async function holdConnections(port: number, count: number): Promise<number[]> {
  const sockets: Socket[] = [];
  const statuses: number[] = [];
  try {
    for (let i = 0; i < count; i += 1) {
      const socket = connect(port, '127.0.0.1');
      sockets.push(socket);
      statuses.push(
        await new Promise<number>((resolve) => {
          let head = '';
          const timer = setTimeout(() => resolve(0), 10_000);
          const done = (status: number): void => {
            clearTimeout(timer);
            socket.removeAllListeners('data');
            resolve(status);
          };
          socket.on('data', (chunk: Buffer) => {
            head += chunk.toString('latin1');
            const match = /^HTTP\/1\.1 (\d{3})/.exec(head);
            if (match !== null) done(Number(match[1]));
          });
          socket.once('close', () => done(0));
          socket.once('error', () => done(0));
          socket.write(`GET / HTTP/1.1\r\nHost: ${host}\r\n\r\n`);
        }),
      );
    }
    return statuses;
  } finally {
    for (const socket of sockets) socket.destroy();
  }
}

function closeServer(server: Server): Promise<void> {
  return new Promise((resolve) => server.close(() => resolve()));
}
