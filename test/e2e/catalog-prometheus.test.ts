/**
 * A real Prometheus (Debian's package) with `consul_sd_configs` pointed at a real slipwayd's catalog discovers the
 * instances of a deployed app, as Slipway registered them, scrapes each of them, and follows a redeploy: the new
 * release's instances replace the old ones among its targets. Prometheus' Consul discovery reads the agent's
 * datacenter, lists the catalog's services and holds blocking health queries on the app's service.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { skipUnless, waitFor } from '@slipway/testkit';
import { freePort, SlipwaydHarness } from './slipwayd-harness.js';

const prometheusPath = '/usr/bin/prometheus';
const app = 'metered';

/** An app serving its own counter on /metrics, labelled with the instance id Slipway gave it. */
const appFiles: Record<string, string> = {
  'package.json': JSON.stringify({ name: app, version: '1.0.0', private: true, scripts: { start: 'node server.js' } }),
  'slipway.yaml': [
    'processes:',
    '  web:',
    '    replicas: 2',
    '    healthCheck: { type: http, path: /healthz }',
    '',
  ].join('\n'),
  'server.js': `const http = require('node:http');
const id = process.env.SLIPWAY_INSTANCE_ID;
let scrapes = 0;
http.createServer((req, res) => {
  if (req.url === '/metrics') {
    scrapes += 1;
    res.writeHead(200, { 'content-type': 'text/plain; version=0.0.4' });
    res.end('# TYPE metered_scrapes_total counter\\nmetered_scrapes_total{slipway_instance="' + id + '"} ' + scrapes + '\\n');
  } else res.end('ok');
}).listen(Number(process.env.PORT));
process.on('SIGTERM', () => process.exit(0));
`,
};

interface Target {
  labels: Record<string, string>;
  health: string;
  scrapeUrl: string;
}

describe(
  'Prometheus discovering deployed apps through the catalog',
  skipUnless({ isAvailable: existsSync(prometheusPath), reason: `${prometheusPath} is not installed` }),
  () => {
    let slipwayd: SlipwaydHarness;
    let dir = '';
    let prometheus: ChildProcess | undefined;
    let exited: Promise<void> = Promise.resolve();
    let prometheusUrl = '';
    let output = '';

    const prometheusApi = async <T>(path: string): Promise<T> => {
      const res = await fetch(`${prometheusUrl}${path}`);
      const body = (await res.json()) as { status: string; data: T };
      expect(body.status).toBe('success');
      return body.data;
    };
    const activeTargets = async (): Promise<Target[]> =>
      (await prometheusApi<{ activeTargets: Target[] }>('/api/v1/targets?state=active')).activeTargets.filter(
        (t) => t.labels.job === 'slipway-apps',
      );
    const healthyInstances = async () =>
      (await slipwayd.api.instances.list(app)).instances.filter((i) => i.state === 'healthy');
    const deploy = async () => {
      const deployed = await slipwayd.cli(['deploy', app, '--path', dir]);
      expect(deployed.code, deployed.stdout + deployed.stderr).toBe(0);
    };

    beforeAll(async () => {
      slipwayd = await SlipwaydHarness.create();
      await slipwayd.start();
      dir = await mkdtemp(join(tmpdir(), 'slipway-prometheus-sd-'));
      for (const [name, text] of Object.entries(appFiles)) await writeFile(join(dir, name), text);
      expect((await slipwayd.cli(['apps', 'create', app])).code).toBe(0);
      await deploy();

      const token = await slipwayd.adminToken();
      const config = [
        'global:',
        '  scrape_interval: 1s',
        'scrape_configs:',
        '  - job_name: slipway-apps',
        '    consul_sd_configs:',
        `      - server: 127.0.0.1:${slipwayd.catalogPort}`,
        `        token: ${token}`,
        `        services: [${app}]`,
        '    relabel_configs:',
        '      - source_labels: [__meta_consul_service_id]',
        '        target_label: instance_id',
        '      - source_labels: [__meta_consul_service_metadata_release]',
        '        target_label: release',
        '      - source_labels: [__meta_consul_dc]',
        '        target_label: dc',
        '',
      ].join('\n');
      await writeFile(join(dir, 'prometheus.yml'), config, { mode: 0o600 });
      const port = await freePort();
      prometheusUrl = `http://127.0.0.1:${port}`;
      const child = spawn(
        prometheusPath,
        [
          `--config.file=${join(dir, 'prometheus.yml')}`,
          `--storage.tsdb.path=${join(dir, 'data')}`,
          `--web.listen-address=127.0.0.1:${port}`,
          '--log.level=warn',
        ],
        { stdio: ['ignore', 'pipe', 'pipe'] },
      );
      prometheus = child;
      exited = new Promise((resolve) => child.once('exit', () => resolve()));
      const keep = (chunk: Buffer): void => {
        output = `${output}${chunk.toString()}`.slice(-8_000);
      };
      child.stdout.on('data', keep);
      child.stderr.on('data', keep);
    }, 120_000);

    afterAll(async () => {
      if (prometheus?.exitCode === null) {
        prometheus.kill('SIGTERM');
        await exited;
      }
      await slipwayd?.destroy();
      if (dir !== '') await rm(dir, { recursive: true, force: true });
    }, 30_000);

    it('discovers every healthy instance of the app and scrapes each of them', async () => {
      const instances = await healthyInstances();
      expect(instances).toHaveLength(2);
      const ids = instances.map((i) => i.id).sort();
      await waitFor(
        async () => {
          if (prometheus?.exitCode !== null) throw new Error(`prometheus exited: ${output}`);
          const targets = await activeTargets();
          expect(targets.map((t) => t.labels.instance_id).sort()).toEqual(ids);
          expect(targets.map((t) => t.health)).toEqual(['up', 'up']);
          expect(targets.map((t) => t.labels)).toEqual([
            expect.objectContaining({ release: '1', dc: 'dc1' }),
            expect.objectContaining({ release: '1', dc: 'dc1' }),
          ]);
        },
        { timeoutMs: 60_000, intervalMs: 500 },
      );
      // Each target's samples come from the instance the catalog named: the app labels them with its own id.
      await waitFor(
        async () => {
          const samples = await prometheusApi<{ result: { metric: Record<string, string> }[] }>(
            '/api/v1/query?query=metered_scrapes_total',
          );
          const pairs = samples.result.map((s) => [s.metric.instance_id, s.metric.slipway_instance]);
          expect(pairs.sort()).toEqual(ids.map((id) => [id, id]));
        },
        { timeoutMs: 30_000, intervalMs: 500 },
      );
    });

    it('follows a redeploy: the new release’s instances replace the old ones among its targets', async () => {
      const before = (await healthyInstances()).map((i) => i.id);
      await deploy();
      const after = (await healthyInstances()).filter((i) => i.releaseNumber === 2);
      expect(after).toHaveLength(2);
      const ids = after.map((i) => i.id).sort();
      expect(ids.some((id) => before.includes(id))).toBe(false);
      await waitFor(
        async () => {
          const targets = await activeTargets();
          expect(targets.map((t) => [t.labels.instance_id, t.labels.release, t.health]).sort()).toEqual(
            ids.map((id) => [id, '2', 'up']),
          );
        },
        { timeoutMs: 60_000, intervalMs: 500 },
      );
    });
  },
);
