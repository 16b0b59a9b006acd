/**
 * The check scheduler over a real engine (memory catalog store), the real check runner and a real HTTP server: runs
 * on the interval of the catalog's clock, results recorded, loops following registrations, script checks gated.
 */
import { once } from 'node:events';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createCatalogCheckRunner } from '@slipway/adapters';
import {
  createCheckScheduler,
  scriptChecksDisabledOutput,
  type CatalogEngine,
  type CheckDefinition,
  type CheckScheduler,
  type Clock,
} from '@slipway/core';
import { createMemoryCatalogStore, silentLogger } from '@slipway/testkit';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { openCatalog } from './catalog-engine-fixtures.js';

interface SteppedClock extends Clock {
  advance(ms: number): void;
  /** Sleeps not yet over (a loop waiting for its next run). */
  sleeping(): number;
  /** Every sleep asked for, in ms. */
  readonly asked: number[];
}

function steppedClock(startMs = Date.UTC(2026, 0, 1)): SteppedClock {
  let nowMs = startMs;
  const sleepers = new Set<{ untilMs: number; resolve: () => void }>();
  const asked: number[] = [];
  return {
    asked,
    nowMs: () => nowMs,
    sleep(ms, signal) {
      asked.push(ms);
      return new Promise((resolve, reject) => {
        const sleeper = { untilMs: nowMs + ms, resolve };
        sleepers.add(sleeper);
        signal?.addEventListener(
          'abort',
          () => {
            sleepers.delete(sleeper);
            reject(signal.reason as Error);
          },
          { once: true },
        );
      });
    },
    advance(ms) {
      nowMs += ms;
      for (const sleeper of [...sleepers].filter((s) => s.untilMs <= nowMs)) {
        sleepers.delete(sleeper);
        sleeper.resolve();
      }
    },
    sleeping: () => sleepers.size,
  };
}

let server: Server;
let base: string;
let answer = 200;
const requests: string[] = [];
let dir: string;

beforeAll(async () => {
  server = createServer((req, res) => {
    requests.push(req.url ?? '');
    if (req.url === '/hang') return;
    if (req.url === '/slow') {
      setTimeout(() => res.writeHead(200).end('slow'), 50);
      return;
    }
    res.writeHead(answer).end(`answered ${answer}`);
  });
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  dir = await mkdtemp(join(tmpdir(), 'slipway-check-scheduler-'));
});

afterAll(async () => {
  server.closeAllConnections();
  await new Promise((resolve) => server.close(resolve));
  await rm(dir, { recursive: true, force: true });
});

const httpCheck = (path: string, intervalMs = 10_000): CheckDefinition => ({
  type: 'http',
  url: `${base}${path}`,
  method: 'GET',
  header: {},
  body: '',
  tlsSkipVerify: false,
  intervalMs,
  timeoutMs: 5_000,
});

describe('check scheduler', () => {
  let clock: SteppedClock;
  let catalog: CatalogEngine;
  let scheduler: CheckScheduler | undefined;

  beforeEach(async () => {
    clock = steppedClock();
    catalog = await openCatalog(createMemoryCatalogStore(), clock);
    requests.length = 0;
    answer = 200;
  });

  afterEach(async () => {
    await scheduler?.close();
    scheduler = undefined;
    await catalog.close();
  });

  const start = (isScriptChecksEnabled = false) => {
    scheduler = createCheckScheduler({
      catalog,
      runner: createCatalogCheckRunner(),
      clock,
      logger: silentLogger,
      isScriptChecksEnabled,
      stagger: () => 0,
    });
    return scheduler;
  };

  const register = (checkId: string, definition: CheckDefinition) =>
    catalog.registerCheck({ checkId, name: checkId, serviceId: '', notes: '', status: 'critical', definition });

  /** Lets every loop reach its sleep, then moves the clock. */
  const step = async (ms: number, loops: number) => {
    await expect.poll(() => clock.sleeping()).toBeGreaterThanOrEqual(loops);
    clock.advance(ms);
  };

  it('runs a check on its interval and records each result', async () => {
    await register('web', httpCheck('/health'));
    start();
    await step(0, 1);
    await expect.poll(() => catalog.check('web')?.status).toBe('passing');
    expect(catalog.check('web')?.output).toBe(`HTTP GET ${base}/health: 200 OK Output: answered 200`);
    expect(requests).toEqual(['/health']);

    answer = 503;
    await step(9_999, 1);
    expect(requests).toHaveLength(1);
    clock.advance(1);
    await expect.poll(() => catalog.check('web')?.status).toBe('critical');
    expect(requests).toEqual(['/health', '/health']);

    answer = 429;
    await step(10_000, 1);
    await expect.poll(() => catalog.check('web')?.status).toBe('warning');
    expect(requests).toHaveLength(3);
  });

  it('starts a loop for a check registered later and stops it when the check goes', async () => {
    const running = start();
    expect(running.scheduledCount()).toBe(0);
    await register('late', httpCheck('/late'));
    await expect.poll(() => running.scheduledCount()).toBe(1);
    await step(0, 1);
    await expect.poll(() => catalog.check('late')?.status).toBe('passing');

    await catalog.deregisterCheck('late');
    await expect.poll(() => running.scheduledCount()).toBe(0);
    clock.advance(60_000);
    await new Promise((resolve) => setTimeout(resolve, 50));
    expect(requests).toEqual(['/late']);
  });

  it('restarts a check’s loop when its definition changes', async () => {
    await register('moving', httpCheck('/first'));
    const running = start();
    await step(0, 1);
    await expect.poll(() => requests).toEqual(['/first']);
    await register('moving', httpCheck('/second'));
    await step(0, 1);
    await expect.poll(() => requests).toEqual(['/first', '/second']);
    expect(running.scheduledCount()).toBe(1);
  });

  it('runs a check whose interval and timeout are longer than a timer holds as if they were that long', async () => {
    // Node fires a timer set beyond 2^31-1 ms after 1 ms: a check of `Interval: "100000h"` probed its target a
    // thousand times a second, and one of `Timeout: "100000h"` timed out at once.
    const hours = 100_000 * 3_600_000;
    await register('forever', {
      type: 'http',
      url: `${base}/slow`,
      method: 'GET',
      header: {},
      body: '',
      tlsSkipVerify: false,
      intervalMs: hours,
      timeoutMs: hours,
    });
    start();
    await step(0, 1);
    await expect.poll(() => catalog.check('forever')?.output).toBe(`HTTP GET ${base}/slow: 200 OK Output: slow`);
    await expect.poll(() => clock.sleeping()).toBe(1);
    expect(clock.asked.every((ms) => ms <= 2 ** 31 - 1)).toBe(true);
    expect(requests).toEqual(['/slow']);
  });

  it('never runs the TTL, maintenance and Slipway checks the catalog holds itself', async () => {
    await register('pushed', { type: 'ttl', ttlMs: 30_000 });
    await register('mirrored', { type: 'slipway', instanceId: 'ins_1' });
    const running = start();
    await new Promise((resolve) => setTimeout(resolve, 50));
    expect(running.scheduledCount()).toBe(0);
  });

  it('holds a script check critical, unrun, while script checks are off', async () => {
    const marker = join(dir, 'ran-while-off');
    await register('script', { type: 'script', args: ['touch', marker], intervalMs: 10_000, timeoutMs: 5_000 });
    const running = start(false);
    await expect.poll(() => catalog.check('script')?.output).toBe(scriptChecksDisabledOutput);
    expect(catalog.check('script')?.status).toBe('critical');
    expect(running.scheduledCount()).toBe(0);
    clock.advance(60_000);
    await expect(readFile(marker)).rejects.toThrow('ENOENT');
  });

  it('runs a script check when script checks are on', async () => {
    await register('script', {
      type: 'script',
      args: ['sh', '-c', 'echo degraded; exit 1'],
      intervalMs: 10_000,
      timeoutMs: 5_000,
    });
    start(true);
    await step(0, 1);
    await expect.poll(() => catalog.check('script')?.status).toBe('warning');
    expect(catalog.check('script')?.output).toBe('degraded\n');
  });

  it('cancels the runs in flight when closed, recording nothing after', async () => {
    await register('hung', httpCheck('/hang'));
    const running = start();
    await step(0, 1);
    await expect.poll(() => requests).toEqual(['/hang']);
    const before = catalog.check('hung');
    await running.close();
    scheduler = undefined;
    expect(running.scheduledCount()).toBe(0);
    expect(catalog.check('hung')).toEqual(before);
  });
});
