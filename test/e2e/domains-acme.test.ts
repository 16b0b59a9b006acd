/**
 * Custom domains with automatic certificates against a real ACME CA (pebble, validating for real through its own DNS
 * server): a domain added to an app gets a certificate over HTTP-01 and over TLS-ALPN-01, served by SNI and verified
 * against pebble's root; certificates renewed over and over (renewal point shortened by config) are swapped while
 * HTTPS requests keep being answered; a deployer of one project cannot add a host another project holds; the
 * `certificate.expiring` notification reaches a webhook once per certificate (the warning set wider than pebble's
 * five-year certificates by config).
 */
import { writeFile } from 'node:fs/promises';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { request } from 'node:https';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { DomainView } from '@slipway/contract';
import { skipUnless, waitFor } from '@slipway/testkit';
import { callApi, createUser, errorCode, tokenOf } from './identity-fixtures.js';
import { freePortBesides, pebbleAvailability, startPebble, type PebbleHarness } from './pebble-harness.js';
import { fixturesDir, SlipwaydHarness } from './slipwayd-harness.js';

/** One HTTPS request to the edge's TLS port on a fresh connection, verified against `ca` for `host`. */
function secureGet(
  port: number,
  host: string,
  ca: string,
): Promise<{ status: number; body: string; hsts: string | string[] | undefined }> {
  return new Promise((resolve, reject) => {
    const req = request(
      { host: '127.0.0.1', port, servername: host, headers: { host }, path: '/', ca, agent: false, timeout: 10_000 },
      (res) => {
        let body = '';
        res.setEncoding('utf8');
        res.on('data', (chunk: string) => (body += chunk));
        res.on('end', () =>
          resolve({ status: res.statusCode ?? 0, body, hsts: res.headers['strict-transport-security'] }),
        );
      },
    );
    req.on('timeout', () => req.destroy(new Error('no answer')));
    req.on('error', reject);
    req.end();
  });
}

describe('custom domains with certificates from a real ACME CA', skipUnless(pebbleAvailability), () => {
  let slipwayd: SlipwaydHarness;
  let pebble: PebbleHarness;
  let tlsPort = 0;
  let root = '';
  let receiver: Server | undefined;
  /** Bodies of the webhook deliveries received. */
  const received: string[] = [];
  /** Distinct events (a delivery retried after a slow answer reaches the receiver twice with one event id). */
  const expiringNotices = () =>
    new Set(
      received
        .filter((body) => body.includes('certificate.expiring') && body.includes('shop.example.test'))
        .map((body) => (JSON.parse(body) as { id: string }).id),
    );

  const startArgs = (extra: string[]) => [
    '--edge-tls',
    `127.0.0.1:${tlsPort}`,
    '--acme-directory',
    pebble.directoryUrl,
    '--acme-ca-file',
    pebble.caFile,
    '--certificate-check-interval-ms',
    '300',
    '--hsts-max-age',
    '300',
    '--config',
    join(slipwayd.dataDir, 'slipwayd.json'),
    ...extra,
  ];

  const domainOf = async (app: string, host: string): Promise<DomainView | undefined> =>
    (await slipwayd.api.domains.list(app)).domains.find((domain) => domain.domain === host);

  beforeAll(async () => {
    slipwayd = await SlipwaydHarness.create();
    const taken = [slipwayd.apiPort, slipwayd.edgePort, slipwayd.catalogPort, slipwayd.dnsPort];
    tlsPort = await freePortBesides(taken);
    pebble = await startPebble({ httpPort: slipwayd.edgePort, tlsPort, taken });
    // Ten years' warning: pebble's certificates last five, so each one is notified right after it is issued.
    await writeFile(join(slipwayd.dataDir, 'slipwayd.json'), JSON.stringify({ certificateExpiryWarningDays: 3_650 }));
    receiver = createServer((req, res) => {
      const chunks: Buffer[] = [];
      req.on('data', (chunk: Buffer) => chunks.push(chunk));
      req.on('end', () => {
        received.push(Buffer.concat(chunks).toString('utf8'));
        res.end('ok');
      });
    });
    await new Promise<void>((resolve) => receiver?.listen(0, '127.0.0.1', resolve));
    await slipwayd.start({ args: startArgs([]) });
    await slipwayd.api.projects.create({ name: 'alpha' });
    await slipwayd.api.projects.create({ name: 'beta' });
    await slipwayd.api.apps.create({ name: 'shop', project: 'alpha' });
    await slipwayd.api.apps.create({ name: 'blog', project: 'beta' });
    const { deployment } = await slipwayd.api.deployments.create('shop', { path: join(fixturesDir, 'hello-node') });
    expect((await slipwayd.settle(deployment.id)).state).toBe('succeeded');
    root = await pebble.issuingRoot();
    await slipwayd.api.notifications.addTarget({
      project: 'alpha',
      events: ['certificate.expiring'],
      target: {
        kind: 'webhook',
        url: `http://127.0.0.1:${(receiver.address() as AddressInfo).port}/hook`,
        secret: 'domains-webhook-secret',
      },
    });
  }, 120_000);

  afterAll(async () => {
    await slipwayd?.destroy();
    await pebble?.stop();
    await new Promise<void>((resolve) => (receiver === undefined ? resolve() : receiver.close(() => resolve())));
  });

  it('orders a certificate over HTTP-01 for a domain added with the CLI and serves it by SNI', async () => {
    const added = await slipwayd.cli(['domains', 'add', 'shop', 'shop.example.test']);
    expect(added.code, added.stdout + added.stderr).toBe(0);
    const domain = await waitFor(
      async () => {
        const found = await domainOf('shop', 'shop.example.test');
        expect(found?.state, JSON.stringify(found)).toBe('active');
        return found;
      },
      { timeoutMs: 60_000, intervalMs: 200 },
    );
    expect(domain).toMatchObject({ verification: 'acme', origin: 'added', lastError: null });
    expect(domain?.certificate?.challenge).toBe('http-01');
    expect((await secureGet(tlsPort, 'shop.example.test', root)).status).toBe(200);
    // HSTS and the redirect come with the routing table, synced right after the certificate is stored.
    await waitFor(async () => expect((await secureGet(tlsPort, 'shop.example.test', root)).hsts).toBe('max-age=300'), {
      timeoutMs: 15_000,
      intervalMs: 100,
    });
    // Plain HTTP goes to HTTPS once the certificate is there (the routing table is synced after the issue).
    await waitFor(
      async () => {
        const plain = await slipwayd.edge('shop.example.test', '/cart?item=1');
        expect(plain.status).toBe(308);
        expect(plain.headers.location).toBe(`https://shop.example.test:${tlsPort}/cart?item=1`);
      },
      { timeoutMs: 15_000, intervalMs: 100 },
    );
    const listed = await slipwayd.cli(['domains', 'list', 'shop']);
    expect(listed.stdout).toMatch(/shop\.example\.test\s+production\s+added\s+acme\s+active/);
    await waitFor(() => expect(expiringNotices().size).toBe(1), { timeoutMs: 30_000, intervalMs: 100 });
  }, 90_000);

  it('refuses a deployer of another project a host this one holds, and lets it add a free one', async () => {
    // Passes went on since the certificate was issued: still one notice for it.
    expect(expiringNotices().size).toBe(1);
    await createUser(slipwayd, 'bob', [{ role: 'deployer', project: 'beta' }]);
    const bob = await tokenOf(slipwayd, 'bob');
    const add = (app: string, domain: string) =>
      callApi(slipwayd, { method: 'POST', path: `/api/v1/apps/${app}/domains`, token: bob, json: { domain } });
    const taken = await add('blog', 'shop.example.test');
    expect({ status: taken.status, code: errorCode(taken) }).toEqual({ status: 409, code: 'HOST_TAKEN' });
    expect(JSON.stringify(taken.body)).not.toContain('alpha');
    const foreignApp = await add('shop', 'other.example.test');
    expect(foreignApp.status).toBe(403);
    const reserved = await add('blog', 'blog2.localhost');
    expect(errorCode(reserved)).toBe('HOST_RESERVED');
    const free = await add('blog', 'blog.example.test');
    expect(free.status).toBe(201);
    expect((await slipwayd.api.hosts.list()).hosts.find((h) => h.host === 'blog.example.test')?.project).toBe('beta');
    const alice = await callApi(slipwayd, {
      method: 'POST',
      path: '/api/v1/apps/shop/domains',
      token: (await slipwayd.adminToken()) ?? '',
      json: { domain: 'blog.example.test' },
    });
    expect(errorCode(alice)).toBe('HOST_TAKEN');
  }, 60_000);

  it('orders over TLS-ALPN-01 and renews again and again without an HTTPS request failing', async () => {
    await slipwayd.kill('SIGTERM');
    // Renewal due a few nanoseconds into each certificate's lifetime: every pass renews.
    await slipwayd.start({
      args: startArgs(['--acme-challenge', 'tls-alpn-01', '--certificate-renew-at', '0.000000001']),
    });
    const issuedAt = new Set<string>();
    const tlsAlpnIssued = await waitFor(
      async () => {
        const found = await domainOf('shop', 'shop.example.test');
        expect(found?.certificate?.challenge).toBe('tls-alpn-01');
        return found;
      },
      { timeoutMs: 60_000, intervalMs: 100 },
    );
    issuedAt.add(tlsAlpnIssued?.certificate?.issuedAt ?? '');
    let attempts = 0;
    let answered = 0;
    const failures: string[] = [];
    // Requests one after another on fresh connections (a new handshake each) until three more renewals happened.
    while (issuedAt.size < 4) {
      attempts += 1;
      try {
        const answer = await secureGet(tlsPort, 'shop.example.test', root);
        if (answer.status === 200) answered += 1;
        else failures.push(`status ${answer.status}`);
      } catch (error) {
        failures.push((error as Error).message);
      }
      const current = await domainOf('shop', 'shop.example.test');
      if (current?.certificate !== null && current?.certificate !== undefined)
        issuedAt.add(current.certificate.issuedAt);
      expect(attempts).toBeLessThan(2_000);
    }
    expect(failures).toEqual([]);
    expect(answered).toBe(attempts);
    expect(issuedAt.size).toBeGreaterThanOrEqual(4);
    const final = await domainOf('shop', 'shop.example.test');
    expect(final).toMatchObject({ state: 'active', lastError: null });
  }, 180_000);

  it('gives a host the manifest routes on a certificate too, and leaves its removal to the manifest', async () => {
    const { deployment } = await slipwayd.api.deployments.create('shop', {
      path: join(fixturesDir, 'hello-node'),
      manifest: { routes: [{ host: 'api.shop.example.test' }] },
    });
    expect((await slipwayd.settle(deployment.id)).state).toBe('succeeded');
    const routed = await waitFor(
      async () => {
        const found = await domainOf('shop', 'api.shop.example.test');
        expect(found?.state).toBe('active');
        return found;
      },
      { timeoutMs: 60_000, intervalMs: 100 },
    );
    expect(routed).toMatchObject({ origin: 'route', verification: 'acme' });
    expect((await secureGet(tlsPort, 'api.shop.example.test', root)).status).toBe(200);
    const removed = await slipwayd.cli(['domains', 'remove', 'shop', 'api.shop.example.test']);
    expect(removed.code).not.toBe(0);
    expect(removed.stderr).toContain('HOST_IN_USE');
  }, 120_000);
});
