/**
 * The catalog's address in a container, against a real slipwayd on a real Docker Engine: with the catalog on every
 * interface, a container gets the bridge gateway's address and reaches the catalog there (it finds itself listed);
 * with the catalog on loopback only, it gets no address rather than one that does not answer.
 */
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { dockerTestEngine, skipUnless, waitFor } from '@slipway/testkit';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SlipwaydHarness } from './slipwayd-harness.js';

interface ContainerReport {
  id: string;
  env: { SLIPWAY_CATALOG_ADDR?: string; CONSUL_HTTP_ADDR?: string };
  listedIds: string[] | null;
  error: string | null;
}

/** Answers with its catalog variables and what the catalog, asked from inside the container, lists under `boxed`. */
const serverJs = `const http = require('node:http');
const env = { SLIPWAY_CATALOG_ADDR: process.env.SLIPWAY_CATALOG_ADDR, CONSUL_HTTP_ADDR: process.env.CONSUL_HTTP_ADDR };
function ask() {
  return new Promise((resolve) => {
    if (!env.CONSUL_HTTP_ADDR) return resolve({ listedIds: null, error: null });
    const req = http.get('http://' + env.CONSUL_HTTP_ADDR + '/v1/health/service/boxed', { timeout: 3000 }, (res) => {
      let body = '';
      res.on('data', (c) => (body += c));
      res.on('end', () => {
        try { resolve({ listedIds: JSON.parse(body).map((e) => e.Service.ID), error: null }); }
        catch (error) { resolve({ listedIds: null, error: 'HTTP ' + res.statusCode + ' ' + body.slice(0, 200) }); }
      });
    });
    req.on('timeout', () => req.destroy(new Error('timeout')));
    req.on('error', (error) => resolve({ listedIds: null, error: error.message }));
  });
}
http.createServer(async (req, res) => {
  const answer = req.url === '/catalog' ? await ask() : { listedIds: null, error: null };
  res.end(JSON.stringify({ id: process.env.SLIPWAY_INSTANCE_ID, env, ...answer }));
}).listen(Number(process.env.PORT || 3000));
process.on('SIGTERM', () => process.exit(0));
`;

const appFiles: Record<string, string> = {
  Dockerfile: 'FROM local/node-runtime:latest\nCOPY server.js .\nCMD ["node", "server.js"]\n',
  'server.js': serverJs,
  'slipway.yaml': 'processes:\n  web:\n    healthCheck:\n      type: http\n      path: /\n',
};

describe('the catalog’s address in a container', skipUnless(dockerTestEngine()), () => {
  let appDir: string;

  beforeAll(async () => {
    appDir = await mkdtemp(join(tmpdir(), 'slipway-catalog-docker-'));
    for (const [name, text] of Object.entries(appFiles)) await writeFile(join(appDir, name), text);
  });

  afterAll(async () => {
    await rm(appDir, { recursive: true, force: true });
  });

  const deployBoxed = async (slipwayd: SlipwaydHarness): Promise<void> => {
    expect((await slipwayd.cli(['apps', 'create', 'boxed'])).code).toBe(0);
    const deployed = await slipwayd.cli(['deploy', 'boxed', '--path', appDir]);
    expect(deployed.code, deployed.stdout + deployed.stderr).toBe(0);
  };

  it('is the bridge gateway when the catalog listens on every interface, and answers there', async () => {
    const slipwayd = await SlipwaydHarness.create({ containers: 'docker' });
    try {
      await slipwayd.start({ args: ['--catalog-http', `0.0.0.0:${slipwayd.catalogPort}`] });
      await deployBoxed(slipwayd);
      const report = await waitFor(
        async () => {
          const answer = JSON.parse((await slipwayd.edge('boxed.localhost', '/catalog')).body) as ContainerReport;
          expect(answer.error).toBeNull();
          expect(answer.listedIds).toEqual([answer.id]);
          return answer;
        },
        { timeoutMs: 30_000 },
      );
      const address = report.env.SLIPWAY_CATALOG_ADDR ?? '';
      expect(address).toMatch(new RegExp(`^\\d+\\.\\d+\\.\\d+\\.\\d+:${slipwayd.catalogPort}$`));
      expect(address.startsWith('127.')).toBe(false);
      expect(report.env.CONSUL_HTTP_ADDR).toBe(address);
    } finally {
      await slipwayd.destroy();
    }
  });

  it('is not given when the catalog listens on loopback only', async () => {
    const slipwayd = await SlipwaydHarness.create({ containers: 'docker' });
    try {
      await slipwayd.start();
      await deployBoxed(slipwayd);
      const report = JSON.parse((await slipwayd.edge('boxed.localhost', '/')).body) as ContainerReport;
      expect(report.env).toEqual({});
    } finally {
      await slipwayd.destroy();
    }
  });
});
