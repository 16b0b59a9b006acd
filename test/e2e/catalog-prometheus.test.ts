/**
 * A real Prometheus with `consul_sd_configs` pointed at a real slipwayd's catalog discovers the instances of a
 * deployed app, as Slipway registered them, scrapes each of them, and follows a redeploy: the new release's instances
 * replace the old ones among its targets. Prometheus' Consul discovery reads the agent's datacenter, lists the
 * catalog's services and holds blocking health queries on the app's service.
 *
 * Debian's Prometheus (2.42) is built without Consul discovery (its changelog: "Disable Consul SD until its Debian
 * package is back in shape"). With it, the same tests run with that discovery's requests replayed by
 * consul-discovery-replay.ts into a file_sd target file, and Debian's Prometheus scrapes what they found.
 */
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { skipUnless, waitFor } from '@slipway/testkit';
import { startConsulDiscoveryReplay, type ConsulDiscoveryReplay } from './consul-discovery-replay.js';
import { freePort, SlipwaydHarness } from './slipwayd-harness.js';

const prometheusPath = '/usr/bin/prometheus';
const promtoolPath = '/usr/bin/promtool';

/** Whether the installed Prometheus accepts `consul_sd_configs` (`promtool check config` of one). */
function hasConsulDiscovery(): boolean {
  if (!existsSync(promtoolPath)) return false;
  const dir = mkdtempSync(join(tmpdir(), 'slipway-promtool-'));
  try {
    const file = join(dir, 'prometheus.yml');
    const config = "scrape_configs:\n  - job_name: c\n    consul_sd_configs:\n      - server: '127.0.0.1:8500'\n";
    writeFileSync(file, config);
    return spawnSync(promtoolPath, ['check', 'config', file], { stdio: 'ignore' }).status === 0;
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
const isConsulDiscoveryBuiltIn = existsSync(prometheusPath) && hasConsulDiscovery();
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

/** The suite, with Prometheus' own Consul discovery (`consul_sd`) or with its requests replayed (`replayed`). */
const describeDiscovery = (discovery: 'consul_sd' | 'replayed') =>
  describe(
    `Prometheus discovering deployed apps through the catalog (${discovery === 'consul_sd' ? 'consul_sd_configs' : "consul_sd's requests replayed, file_sd"})`,
    skipUnless(
      discovery === 'consul_sd'
        ? {
            isAvailable: isConsulDiscoveryBuiltIn,
            reason: `${prometheusPath} is missing or built without Consul discovery (Debian's package is)`,
          }
        : {
            isAvailable: existsSync(prometheusPath) && !isConsulDiscoveryBuiltIn,
            reason: `${prometheusPath} is missing, or has Consul discovery and runs the consul_sd suite instead`,
          },
    ),
    () => {
      let slipwayd: SlipwaydHarness;
      let dir = '';
      let prometheus: ChildProcess | undefined;
      let exited: Promise<void> = Promise.resolve();
      let prometheusUrl = '';
      let output = '';
      let replay: ConsulDiscoveryReplay | undefined;

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

        const token = (await slipwayd.adminToken()) ?? '';
        const targetsFile = join(dir, 'targets.json');
        const discoveryLines =
          discovery === 'consul_sd'
            ? [
                '    consul_sd_configs:',
                `      - server: 127.0.0.1:${slipwayd.catalogPort}`,
                `        token: ${token}`,
                `        services: [${app}]`,
              ]
            : ['    file_sd_configs:', `      - files: ['${targetsFile}']`];
        if (discovery === 'replayed') {
          const catalogUrl = `http://127.0.0.1:${slipwayd.catalogPort}`;
          replay = await startConsulDiscoveryReplay({ catalogUrl, token, service: app, file: targetsFile });
        }
        const config = [
          'global:',
          '  scrape_interval: 1s',
          'scrape_configs:',
          '  - job_name: slipway-apps',
          ...discoveryLines,
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
        await replay?.stop();
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
            expect(replay?.error).toBeUndefined();
            const targets = await activeTargets();
            expect(targets.map((t) => t.labels.instance_id).sort()).toEqual(ids);
            expect(targets.map((t) => t.health)).toEqual(['up', 'up']);
            expect(targets.map((t) => t.labels)).toEqual([
              expect.objectContaining({ release: '1', dc: 'dc1' }),
              expect.objectContaining({ release: '1', dc: 'dc1' }),
            ]);
          },
          { timeoutMs: 60_000, intervalMs: 500 },
        ).catch(async (error: unknown) => {
          throw new Error(`${String(error)}\ntargets: ${JSON.stringify(await activeTargets())}\nprometheus: ${output}`);
        });
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
      }, 120_000);

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
      }, 150_000);
    },
  );

describeDiscovery('consul_sd');
describeDiscovery('replayed');
