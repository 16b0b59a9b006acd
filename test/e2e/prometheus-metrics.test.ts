/**
 * slipwayd's `GET /metrics` scraped by a real Prometheus (Debian's) with a viewer token, checked by `promtool check
 * metrics`, and driven through the real edge: its query answers the deployment count, random Host headers and
 * methods add at most 2 series, and a deleted app's series disappear. Narrated step by step: each step builds on
 * the one before.
 */
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { Agent, request } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { skipUnless, waitFor } from '@slipway/testkit';
import { dashboardExpressions, metricNamesOf, readDashboard } from '../deploy/grafana-dashboard.js';
import { fixturesDir, freePort, SlipwaydHarness } from './slipwayd-harness.js';

const prometheusPath = '/usr/bin/prometheus';
const promtoolPath = '/usr/bin/promtool';

/** `name{labels}` of every sample, without the process's own families (their series come and go with the runtime). */
function seriesOf(exposition: string): Set<string> {
  return new Set(
    exposition
      .split('\n')
      .filter((line) => line !== '' && !line.startsWith('#') && !/^(nodejs_|process_)/.test(line))
      .map((line) => line.slice(0, line.lastIndexOf(' '))),
  );
}

/** The value of the one sample `series` (`name{labels}` as exposed), 0 when absent. */
function valueOf(exposition: string, series: string): number {
  const line = exposition.split('\n').find((l) => l.startsWith(`${series} `));
  return line === undefined ? 0 : Number(line.slice(series.length + 1));
}

/** Sends `count` requests through the edge, `concurrency` at a time, each with a random Host and method. */
async function randomRequests(edgePort: number, count: number, concurrency: number): Promise<number> {
  const methods = ['GET', 'HEAD', 'POST', 'PUT', 'DELETE', 'OPTIONS', 'PATCH', 'PURGE', 'BREW'];
  const agent = new Agent({ keepAlive: true, maxSockets: concurrency });
  let sent = 0;
  let answered = 0;
  const one = (): Promise<void> =>
    new Promise((resolve, reject) => {
      const random = Math.random().toString(36).slice(2, 10);
      const method = Math.random() < 0.2 ? `X${random.toUpperCase()}` : (methods[sent % methods.length] ?? 'GET');
      const req = request(
        {
          host: '127.0.0.1',
          port: edgePort,
          method,
          path: `/${random}`,
          agent,
          headers: { host: `${random}.example` },
        },
        (res) => {
          res.resume();
          res.on('end', () => {
            answered += 1;
            resolve();
          });
        },
      );
      req.setTimeout(10_000, () => req.destroy(new Error('no answer within 10 s')));
      req.on('error', reject);
      req.end();
    });
  const lane = async (): Promise<void> => {
    while (sent < count) {
      sent += 1;
      await one();
    }
  };
  try {
    await Promise.all(Array.from({ length: concurrency }, lane));
  } finally {
    agent.destroy();
  }
  return answered;
}

describe(
  'Prometheus metrics of slipwayd and the edge',
  skipUnless({
    isAvailable: existsSync(prometheusPath) && existsSync(promtoolPath),
    reason: `${prometheusPath} or ${promtoolPath} is missing (Debian's prometheus package)`,
  }),
  () => {
    let slipwayd: SlipwaydHarness;
    let dir = '';
    let prometheus: ChildProcess | undefined;
    let exited: Promise<void> = Promise.resolve();
    let prometheusUrl = '';
    let output = '';
    let viewerToken = '';

    const scrape = async (token = viewerToken): Promise<Response> =>
      slipwayd.fetchFn()(`${slipwayd.url}/metrics`, { headers: { authorization: `Bearer ${token}` } });
    const exposition = async (): Promise<string> => {
      const res = await scrape();
      expect(res.status).toBe(200);
      return res.text();
    };
    const query = async (promql: string): Promise<{ metric: Record<string, string>; value: [number, string] }[]> => {
      const res = await fetch(`${prometheusUrl}/api/v1/query?query=${encodeURIComponent(promql)}`);
      const body = (await res.json()) as {
        status: string;
        data: { result: { metric: Record<string, string>; value: [number, string] }[] };
      };
      expect(body.status).toBe('success');
      return body.data.result;
    };
    const deploy = async (app: string): Promise<void> => {
      const deployed = await slipwayd.cli(['deploy', app, '--path', join(fixturesDir, 'hello-node')]);
      expect(deployed.code, deployed.stdout + deployed.stderr).toBe(0);
    };

    beforeAll(async () => {
      slipwayd = await SlipwaydHarness.create();
      await slipwayd.start();
      dir = await mkdtemp(join(tmpdir(), 'slipway-prometheus-metrics-'));
      for (const app of ['hello', 'goner']) expect((await slipwayd.cli(['apps', 'create', app])).code).toBe(0);
      await deploy('hello');
      await deploy('hello');
      await deploy('goner');
      // The admin is a global admin: its token capped at viewer reads every project's metrics and changes nothing.
      const created = await slipwayd.cli(['tokens', 'create', 'prometheus', '--role', 'viewer', '--json']);
      expect(created.code, created.stderr).toBe(0);
      viewerToken = (JSON.parse(created.stdout) as { secret: string }).secret;
      await writeFile(join(dir, 'slipway.token'), viewerToken, { mode: 0o600 });

      const config = [
        'global:',
        '  scrape_interval: 1s',
        'scrape_configs:',
        '  - job_name: slipway',
        '    metrics_path: /metrics',
        '    authorization:',
        '      type: Bearer',
        `      credentials_file: ${join(dir, 'slipway.token')}`,
        '    static_configs:',
        `      - targets: ['127.0.0.1:${slipwayd.apiPort}']`,
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
    }, 180_000);

    afterAll(async () => {
      if (prometheus?.exitCode === null) {
        prometheus.kill('SIGTERM');
        await exited;
      }
      await slipwayd?.destroy();
      if (dir !== '') await rm(dir, { recursive: true, force: true });
    }, 30_000);

    it('refuses a scrape without a token and one with a token narrowed to a project', async () => {
      const anonymous = await slipwayd.fetchFn()(`${slipwayd.url}/metrics`);
      expect(anonymous.status).toBe(401);
      const narrowed = await slipwayd.cli([
        'tokens',
        'create',
        'narrowed',
        '--project',
        'default',
        '--role',
        'admin',
        '--json',
      ]);
      expect(narrowed.code, narrowed.stderr).toBe(0);
      const res = await scrape((JSON.parse(narrowed.stdout) as { secret: string }).secret);
      expect(res.status).toBe(403);
    });

    it('answers the deployment count to a real Prometheus scraping slipwayd', async () => {
      await waitFor(
        async () => {
          if (prometheus?.exitCode !== null) throw new Error(`prometheus exited: ${output}`);
          const up = await query('up{job="slipway"}');
          expect(up.map((s) => s.value[1])).toEqual(['1']);
          const byApp = await query('sum by (app) (slipway_deployments{state="succeeded"})');
          const counts = Object.fromEntries(byApp.map((s): [string, string] => [s.metric.app ?? '', s.value[1]]));
          expect(counts).toEqual({ hello: '2', goner: '1' });
        },
        { timeoutMs: 60_000, intervalMs: 500 },
      ).catch((error: unknown) => {
        throw new Error(`${String(error)}\nprometheus: ${output}`);
      });
      const phases = await query('sum(slipway_deployment_phase_duration_seconds_count{phase="build"})');
      expect(phases.map((s) => s.value[1])).toEqual(['3']);
    }, 90_000);

    it('passes promtool check metrics', async () => {
      const text = await exposition();
      const checked = spawnSync(promtoolPath, ['check', 'metrics'], { input: text, encoding: 'utf8' });
      expect(checked.status, checked.stdout + checked.stderr).toBe(0);
    });

    it("exposes the edge's requests by app and release, with the OpenTelemetry-advised buckets", async () => {
      const series =
        'slipway_http_server_request_duration_seconds_count{app="hello",environment="production",release="2"}';
      const before = valueOf(await exposition(), series);
      for (let n = 0; n < 5; n += 1) expect((await slipwayd.edge('hello.localhost')).status).toBe(200);
      const text = await exposition();
      expect(valueOf(text, series) - before).toBe(5);
      const bounds = [
        ...text.matchAll(
          /slipway_http_server_request_duration_seconds_bucket\{app="hello",environment="production",release="2",le="([^"]+)"\}/g,
        ),
      ].map((m) => m[1]);
      expect(bounds).toEqual([
        '0.005',
        '0.01',
        '0.025',
        '0.05',
        '0.075',
        '0.1',
        '0.25',
        '0.5',
        '0.75',
        '1',
        '2.5',
        '5',
        '7.5',
        '10',
        '+Inf',
      ]);
      expect(text).toContain('slipway_edge_up 1');
      expect(text).toMatch(
        /slipway_upstream_up\{app="hello",environment="production",release="2",process="web",instance="[^"]+"\} 1/,
      );
    });

    it('adds at most 2 series for 10,000 requests with random Host headers and methods', async () => {
      const unrouted = 'slipway_http_server_unrouted_requests_total{http_response_status_class="4xx"}';
      const first = await exposition();
      const answered = await randomRequests(slipwayd.edgePort, 10_000, 16);
      expect(answered).toBe(10_000);
      const after = await exposition();
      const added = [...seriesOf(after)].filter((s) => !seriesOf(first).has(s));
      expect(added.length, added.join('\n')).toBeLessThanOrEqual(2);
      expect(valueOf(after, unrouted) - valueOf(first, unrouted)).toBe(10_000);
    }, 120_000);

    it('exposes every metric the Grafana dashboard reads, and no request left active', async () => {
      const text = await exposition();
      const exposed = new Set([...text.matchAll(/^# TYPE (\S+) /gm)].map((m) => m[1]));
      const read = dashboardExpressions(readDashboard()).flatMap(metricNamesOf);
      expect(read.filter((name) => !exposed.has(name))).toEqual([]);
      const active = [...text.matchAll(/^slipway_http_server_active_requests\{[^}]*\} (\S+)$/gm)].map((m) => m[1]);
      expect(active.length).toBeGreaterThan(0);
      expect(new Set(active)).toEqual(new Set(['0']));
    });

    it("drops a deleted app's series", async () => {
      expect((await slipwayd.edge('goner.localhost')).status).toBe(200);
      expect(await exposition()).toContain('app="goner"');
      const deleted = await slipwayd.cli(['apps', 'delete', 'goner', '--yes']);
      expect(deleted.code, deleted.stderr).toBe(0);
      await waitFor(async () => expect(await exposition()).not.toContain('app="goner"'), { timeoutMs: 30_000 });
      const byApp = await waitFor(
        async () => {
          const result = await query('count by (app) (slipway_deployments)');
          expect(result.map((s) => s.metric.app)).toEqual(['hello']);
          return result;
        },
        { timeoutMs: 30_000, intervalMs: 500 },
      );
      expect(byApp).toHaveLength(1);
    }, 60_000);
  },
);
