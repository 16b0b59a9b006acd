/**
 * A CA that fails never hangs a domain: against a directory nobody listens on, and one that accepts connections and
 * never answers, a real slipwayd records a coded error per domain (`ACME_CA_UNAVAILABLE`, `ACME_TIMEOUT`), counts the
 * failures in a row, backs off before the next attempt, and `slipway domains list` shows it, while the API answers
 * at once.
 */
import { writeFile } from 'node:fs/promises';
import { createServer, type Server, type Socket } from 'node:net';
import { join } from 'node:path';
import { afterAll, afterEach, describe, expect, it } from 'vitest';
import type { DomainView } from '@slipway/contract';
import { waitFor } from '@slipway/testkit';
import { freePort } from './free-port.js';
import { fixturesDir, SlipwaydHarness } from './slipwayd-harness.js';

describe('custom domains when the CA fails', () => {
  let slipwayd: SlipwaydHarness | undefined;
  const sockets = new Set<Socket>();
  let silent: Server | undefined;

  afterEach(async () => {
    await slipwayd?.destroy();
    slipwayd = undefined;
  });
  afterAll(async () => {
    for (const socket of sockets) socket.destroy();
    await new Promise<void>((resolve) => (silent === undefined ? resolve() : silent.close(() => resolve())));
  });

  /** slipwayd ordering from `directoryUrl`, with short deadlines and retries (config file), and an app with a domain. */
  async function startWith(directoryUrl: string): Promise<SlipwaydHarness> {
    const harness = await SlipwaydHarness.create();
    slipwayd = harness;
    const configFile = join(harness.dataDir, 'slipwayd.json');
    await writeFile(
      configFile,
      JSON.stringify({ acmeCallTimeoutMs: 300, acmeOrderTimeoutMs: 2_000, certificateRetryDelaysMs: [200, 400] }),
    );
    await harness.start({
      args: ['--config', configFile, '--acme-directory', directoryUrl, '--certificate-check-interval-ms', '200'],
    });
    await harness.api.apps.create({ name: 'shop' });
    const { deployment } = await harness.api.deployments.create('shop', { path: join(fixturesDir, 'hello-static') });
    expect((await harness.settle(deployment.id)).state).toBe('succeeded');
    expect((await harness.cli(['domains', 'add', 'shop', 'shop.example.test'])).code).toBe(0);
    return harness;
  }

  const failedAtLeast = (harness: SlipwaydHarness, failures: number): Promise<DomainView | undefined> =>
    waitFor(
      async () => {
        const domain = (await harness.api.domains.list('shop')).domains[0];
        expect(domain?.failures ?? 0, JSON.stringify(domain)).toBeGreaterThanOrEqual(failures);
        return domain;
      },
      { timeoutMs: 60_000, intervalMs: 100 },
    );

  it('records ACME_CA_UNAVAILABLE for a directory nobody listens on, and keeps retrying with backoff', async () => {
    // Drawn before slipwayd's own ports: should one of its listeners get it, that one speaks no ACME either.
    const harness = await startWith(`https://127.0.0.1:${await freePort()}/dir`);
    const domain = await failedAtLeast(harness, 3);
    expect(domain).toMatchObject({ state: 'failed', certificate: null, lastError: { code: 'ACME_CA_UNAVAILABLE' } });
    expect(domain?.nextAttemptAt).not.toBeNull();
    // The site still answers over plain HTTP on its domain meanwhile.
    expect((await harness.edge('shop.example.test')).status).toBe(200);
    const listed = await harness.cli(['domains', 'list', 'shop']);
    expect(listed.stdout).toMatch(/shop\.example\.test .*failed \(ACME_CA_UNAVAILABLE, \d+ failures\)/);
  }, 120_000);

  it('records ACME_TIMEOUT for a CA that accepts connections and never answers', async () => {
    silent = createServer((socket) => {
      sockets.add(socket);
      socket.on('error', () => undefined);
    });
    const port = await freePort();
    await new Promise<void>((resolve) => silent?.listen(port, '127.0.0.1', resolve));
    const harness = await startWith(`https://127.0.0.1:${port}/dir`);
    const domain = await failedAtLeast(harness, 2);
    expect(domain).toMatchObject({ state: 'failed', lastError: { code: 'ACME_TIMEOUT' } });
    // The API is not held up by the hanging CA.
    expect((await harness.api.domains.list('shop')).domains).toHaveLength(1);
  }, 120_000);
});
