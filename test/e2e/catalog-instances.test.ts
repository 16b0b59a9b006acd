/**
 * Slipway's instances in the catalog, against a real slipwayd: a deployed app is listed once healthy (its web and
 * worker processes, with their tags, meta, address and check), its instances see the catalog's address, a redeploy
 * wakes a blocking query, and an old instance is out of the catalog before it is told to stop: the app itself asks
 * the catalog when it receives SIGTERM and reports what it saw, so the order is recorded, not timed.
 */
import { once } from 'node:events';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { waitFor } from '@slipway/testkit';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SlipwaydHarness } from './slipwayd-harness.js';

/** What an instance reported when it received SIGTERM: whether the catalog still listed it then. */
interface StopReport {
  instanceId: string;
  release: string;
  isListed: boolean;
  listedIds: string[];
}

interface HealthEntry {
  Service: {
    ID: string;
    Service: string;
    Tags: string[];
    Meta: Record<string, string>;
    Address: string;
    Port: number;
  };
  Checks: { CheckID: string; Status: string; Type: string; ServiceID: string }[];
}

function appFiles(recorderPort: number): Record<string, string> {
  const server = `const http = process.getBuiltinModule('node:http');
const id = process.env.SLIPWAY_INSTANCE_ID;
const release = process.env.SLIPWAY_RELEASE;
const env = { SLIPWAY_CATALOG_ADDR: process.env.SLIPWAY_CATALOG_ADDR, CONSUL_HTTP_ADDR: process.env.CONSUL_HTTP_ADDR };
const server = http.createServer((req, res) => res.end(JSON.stringify({ id, env })));
server.listen(Number(process.env.PORT));
function get(url) {
  return new Promise((resolve, reject) => {
    const req = http.get(url, { timeout: 5000 }, (res) => {
      let body = '';
      res.on('data', (c) => (body += c));
      res.on('end', () => resolve(body));
    });
    req.on('timeout', () => req.destroy(new Error('timeout')));
    req.on('error', reject);
  });
}
function post(body) {
  return new Promise((resolve) => {
    const req = http.request({ host: '127.0.0.1', port: ${recorderPort}, method: 'POST', path: '/stopped', timeout: 5000 }, (res) => {
      res.resume();
      res.on('end', resolve);
    });
    req.on('error', resolve);
    req.end(body);
  });
}
process.on('SIGTERM', async () => {
  let listedIds = [];
  try {
    const answer = JSON.parse(await get('http://' + process.env.CONSUL_HTTP_ADDR + '/v1/health/service/listed'));
    listedIds = answer.map((entry) => entry.Service.ID);
  } catch (error) {
    listedIds = ['error: ' + error.message];
  }
  await post(JSON.stringify({ instanceId: id, release, isListed: listedIds.includes(id), listedIds }));
  server.close();
  process.exit(0);
});
`;
  return {
    Procfile: 'web: node server.js\nworker: node worker.js\n',
    'server.js': server,
    'worker.js': "setInterval(() => undefined, 1000);\nprocess.on('SIGTERM', () => process.exit(0));\n",
    'slipway.yaml': 'processes:\n  web:\n    healthCheck:\n      type: http\n      path: /\n',
  };
}

describe('Slipway’s instances in the catalog', () => {
  let slipwayd: SlipwaydHarness;
  let recorder: Server;
  let appDir: string;
  const stopReports: StopReport[] = [];

  beforeAll(async () => {
    recorder = createServer((req, res) => {
      const chunks: Buffer[] = [];
      req.on('data', (chunk: Buffer) => chunks.push(chunk));
      req.on('end', () => {
        stopReports.push(JSON.parse(Buffer.concat(chunks).toString()) as StopReport);
        res.end();
      });
    });
    recorder.listen(0, '127.0.0.1');
    await once(recorder, 'listening');
    appDir = await mkdtemp(join(tmpdir(), 'slipway-catalog-app-'));
    for (const [name, text] of Object.entries(appFiles((recorder.address() as AddressInfo).port)))
      await writeFile(join(appDir, name), text);
    slipwayd = await SlipwaydHarness.create();
    await slipwayd.start();
    expect((await slipwayd.cli(['apps', 'create', 'listed'])).code).toBe(0);
    const deployed = await slipwayd.cli(['deploy', 'listed', '--path', appDir]);
    expect(deployed.code, deployed.stdout + deployed.stderr).toBe(0);
  });

  afterAll(async () => {
    await slipwayd.destroy();
    recorder.closeAllConnections();
    await new Promise((resolve) => recorder.close(resolve));
    await rm(appDir, { recursive: true, force: true });
  });

  const catalogGet = async (path: string): Promise<{ index: number; body: unknown }> => {
    const token = await slipwayd.adminToken();
    const response = await fetch(`http://127.0.0.1:${slipwayd.catalogPort}${path}`, {
      headers: token === undefined ? {} : { 'x-consul-token': token },
      signal: AbortSignal.timeout(90_000),
    });
    expect(response.status, path).toBe(200);
    return { index: Number(response.headers.get('x-consul-index')), body: await response.json() };
  };
  const healthOf = async (service: string, query = ''): Promise<{ index: number; entries: HealthEntry[] }> => {
    const { index, body } = await catalogGet(`/v1/health/service/${service}${query}`);
    return { index, entries: body as HealthEntry[] };
  };
  const instancesOf = async (): Promise<{ id: string; process: string; port: number | null; host?: string }[]> => {
    const ps = await slipwayd.cli(['ps', 'listed', '--json']);
    return (JSON.parse(ps.stdout) as { instances: { id: string; process: string; port: number | null }[] }).instances;
  };

  it('lists the app’s instances once healthy, web under the app’s name and worker under app-worker', async () => {
    const instances = await instancesOf();
    const web = instances.find((instance) => instance.process === 'web');
    const worker = instances.find((instance) => instance.process === 'worker');
    const { entries } = await waitFor(async () => {
      const answer = await healthOf('listed', '?passing');
      expect(answer.entries).toHaveLength(1);
      return answer;
    });
    const [entry] = entries;
    expect(entry?.Service).toMatchObject({
      ID: web?.id,
      Service: 'listed',
      Tags: ['production', 'web', 'release-1'],
      Meta: { app: 'listed', environment: 'production', process: 'web', release: '1' },
      Port: web?.port,
    });
    expect(entry?.Checks.find((check) => check.ServiceID === web?.id)).toMatchObject({
      CheckID: `service:${web?.id}`,
      Status: 'passing',
      Type: 'slipway',
    });
    // The address and port the catalog gives are the instance's own: it answers there.
    const direct = await fetch(`http://${entry?.Service.Address}:${entry?.Service.Port}/`);
    expect(((await direct.json()) as { id: string }).id).toBe(web?.id);

    const workers = await waitFor(async () => {
      const answer = await healthOf('listed-worker', '?passing');
      expect(answer.entries).toHaveLength(1);
      return answer.entries;
    });
    expect(workers[0]?.Service).toMatchObject({ ID: worker?.id, Tags: ['production', 'worker', 'release-1'] });
  });

  it('gives the app the catalog’s address as SLIPWAY_CATALOG_ADDR and CONSUL_HTTP_ADDR', async () => {
    const answer = JSON.parse((await slipwayd.edge('listed.localhost')).body) as { env: Record<string, string> };
    const address = `127.0.0.1:${slipwayd.catalogPort}`;
    expect(answer.env).toEqual({ SLIPWAY_CATALOG_ADDR: address, CONSUL_HTTP_ADDR: address });
  });

  it('wakes a blocking query on a redeploy, and takes the old instance out before it is told to stop', async () => {
    const before = await healthOf('listed', '?passing');
    const [old] = before.entries;
    const oldId = old?.Service.ID ?? '';
    // Parked until the registrations change.
    const blocked = healthOf('listed', `?passing&index=${before.index}&wait=60s`);

    const deployed = await slipwayd.cli(['deploy', 'listed', '--path', appDir]);
    expect(deployed.code, deployed.stdout + deployed.stderr).toBe(0);

    const woken = await blocked;
    expect(woken.index).toBeGreaterThan(before.index);
    const report = await waitFor(() => {
      const found = stopReports.find((stop) => stop.instanceId === oldId);
      expect(found).toBeDefined();
      return found;
    });
    // When it got SIGTERM, the catalog (asked at the address it was given) no longer listed it.
    expect(report).toMatchObject({ release: '1', isListed: false });
    expect(report?.listedIds.some((id) => id.startsWith('error'))).toBe(false);

    const after = await waitFor(async () => {
      const answer = await healthOf('listed', '?passing');
      expect(answer.entries.map((entry) => entry.Service.Tags)).toEqual([['production', 'web', 'release-2']]);
      return answer;
    });
    expect(after.entries[0]?.Service.ID).not.toBe(oldId);
  });
});
