import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { createServer, type Server } from 'node:http';
import { createServer as createNetServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { prometheusMetricSchema, SlipwayError } from '@slipway/contract';
import type { MetricQueryVars } from '@slipway/core';
import { describeMetricSource, skipUnless, waitFor } from '@slipway/testkit';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createMetricSource } from './metric-source.js';

const prometheusPath = '/usr/bin/prometheus';
const vars: MetricQueryVars = { app: 'hello', environment: 'production', release: 7, stableRelease: 6 };
const signal = new AbortController().signal;

/** What the test's exporter serves, in Prometheus' text format: two releases' counters and a NaN gauge. */
const exposition = [
  '# TYPE slipway_test_requests_total counter',
  'slipway_test_requests_total{app="hello",environment="production",release="7"} 120',
  'slipway_test_requests_total{app="hello",environment="production",release="6"} 80',
  '# TYPE slipway_test_ratio gauge',
  'slipway_test_ratio NaN',
  '',
].join('\n');

async function freePort(): Promise<number> {
  const server = createNetServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server.address() as { port: number }).port;
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}

describe(
  'the prometheus metric source against a real Prometheus',
  skipUnless({ isAvailable: existsSync(prometheusPath), reason: `${prometheusPath} is not installed` }),
  () => {
    let exporter: Server;
    /** Accepts connections and never answers: a Prometheus that hangs. */
    let silent: Server;
    let silentAddress = '';
    let prometheus: ChildProcess | undefined;
    let exited: Promise<void> = Promise.resolve();
    let dir = '';
    let address = '';
    let output = '';
    const source = createMetricSource();
    const measure = (query: string, at = address): Promise<number | null> =>
      source.measure(prometheusMetricSchema.parse({ type: 'prometheus', address: at, query }), vars, signal);

    beforeAll(async () => {
      silent = createServer(() => undefined);
      await new Promise<void>((resolve) => silent.listen(0, '127.0.0.1', resolve));
      silentAddress = `http://127.0.0.1:${(silent.address() as { port: number }).port}`;
      exporter = createServer((_req, res) => {
        res.setHeader('content-type', 'text/plain; version=0.0.4');
        res.end(exposition);
      });
      await new Promise<void>((resolve) => exporter.listen(0, '127.0.0.1', resolve));
      const exporterPort = (exporter.address() as { port: number }).port;
      dir = await mkdtemp(join(tmpdir(), 'slipway-prometheus-'));
      const config = [
        'global:',
        '  scrape_interval: 1s',
        '  evaluation_interval: 1s',
        'scrape_configs:',
        '  - job_name: exporter',
        '    static_configs:',
        `      - targets: ['127.0.0.1:${exporterPort}']`,
        '',
      ].join('\n');
      await writeFile(join(dir, 'prometheus.yml'), config);
      const port = await freePort();
      address = `http://127.0.0.1:${port}`;
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
        output = `${output}${chunk.toString()}`.slice(-4_000);
      };
      child.stdout.on('data', keep);
      child.stderr.on('data', keep);
      // Up once the target was scraped: the sample the tests read is there.
      await waitFor(
        async () => {
          if (child.exitCode !== null) throw new Error(`prometheus exited: ${output}`);
          expect(await measure('up{job="exporter"}')).toBe(1);
          expect(await measure('slipway_test_requests_total{release="7"}')).toBe(120);
        },
        { timeoutMs: 60_000, intervalMs: 250 },
      );
    }, 90_000);

    afterAll(async () => {
      if (prometheus?.exitCode === null) {
        prometheus.kill('SIGTERM');
        await exited;
      }
      await new Promise<void>((resolve) => exporter.close(() => resolve()));
      silent.closeAllConnections();
      await new Promise<void>((resolve) => silent.close(() => resolve()));
      await rm(dir, { recursive: true, force: true });
    }, 30_000);

    const provider = (query: string, at = address, timeoutSeconds = 5) =>
      prometheusMetricSchema.parse({ type: 'prometheus', address: at, query, timeoutSeconds });
    describeMetricSource('prometheus', {
      setup: () => ({
        source,
        fixtures: {
          answering: (value) => provider(`vector(${value})`),
          answeringRelease: () => provider('vector({{release}})'),
          noData: () => provider('slipway_test_requests_total{app="nobody"}'),
          hanging: () => provider('up', silentAddress, 1),
          failing: () => provider('sum('),
        },
      }),
    });

    it('answers the first sample of an instant vector, with the placeholders filled in', async () => {
      await expect(
        measure('slipway_test_requests_total{app="{{app}}",environment="{{environment}}",release="{{release}}"}'),
      ).resolves.toBe(120);
      await expect(measure('sum(slipway_test_requests_total{app="{{app}}"})')).resolves.toBe(200);
    });

    it('answers a scalar', async () => {
      await expect(measure('scalar(slipway_test_requests_total{release="{{stableRelease}}"})')).resolves.toBe(80);
    });

    it('answers no data for an empty vector and for NaN', async () => {
      await expect(measure('slipway_test_requests_total{app="nobody"}')).resolves.toBeNull();
      await expect(measure('slipway_test_ratio')).resolves.toBeNull();
    });

    it("refuses a query Prometheus cannot parse, with Prometheus' reason", async () => {
      const error: unknown = await measure('sum(').catch((e: unknown) => e);
      expect(error).toBeInstanceOf(SlipwayError);
      expect((error as SlipwayError).code).toBe('METRIC_PROVIDER_FAILED');
      expect((error as SlipwayError).message).toContain('parse error');
    });

    it('refuses a range query: a metric is one number', async () => {
      const error: unknown = await measure('slipway_test_requests_total[1m]').catch((e: unknown) => e);
      expect((error as SlipwayError).code).toBe('METRIC_PROVIDER_FAILED');
      expect((error as SlipwayError).message).toContain('matrix');
    });

    it('fails on an address where no Prometheus answers', async () => {
      const error: unknown = await measure('up', `http://127.0.0.1:${await freePort()}`).catch((e: unknown) => e);
      expect((error as SlipwayError).code).toBe('METRIC_PROVIDER_FAILED');
    });
  },
);
