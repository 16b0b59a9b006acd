/**
 * Log drains over real SQLite with a fake sender and a manual clock: URLs checked with coded errors and never shown
 * whole, lines shipped after the drain's cursor in id order and in bounded batches, failed sends retried with a
 * doubling backoff and nothing lost, and a new shipper (a restarted slipwayd) resuming at the stored cursor.
 */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { SlipwayError } from '@slipway/contract';
import {
  addLogDrain,
  createLogDrainShipper,
  createLogWriter,
  defaultLogSettings,
  drainRetryDelayMs,
  listLogDrains,
  openLogDrain,
  removeLogDrain,
  rewrapLogDrains,
  type DrainedLogLine,
  type LogDrainDestination,
  type LogDrainSender,
  type LogDrainShipperSettings,
} from '@slipway/core';
import { silentLogger } from '@slipway/testkit';
import { manualClock, type ManualClock } from './catalog-engine-fixtures.js';
import { createCoreHarness, type CoreHarness } from './core-harness.js';

const token = 'sentinel-7f3a9c1e-token';

/** Keeps what it is sent; fails while `isDown`, with a message echoing the URL (masked before it is kept). */
function fakeSender(): LogDrainSender & {
  batches: DrainedLogLine[][];
  isDown: boolean;
  destinations: LogDrainDestination[];
} {
  const fake = {
    batches: [] as DrainedLogLine[][],
    destinations: [] as LogDrainDestination[],
    isDown: false,
    send(destination: LogDrainDestination, lines: readonly DrainedLogLine[]): Promise<void> {
      fake.destinations.push(destination);
      if (fake.isDown) {
        return Promise.reject(new SlipwayError('LOG_DRAIN_UNREACHABLE', `could not reach ${destination.url}`));
      }
      fake.batches.push([...lines]);
      return Promise.resolve();
    },
  };
  return fake;
}

describe('log drains', () => {
  let harness: CoreHarness;
  let clock: ManualClock;
  const settings: LogDrainShipperSettings = {
    batchLines: 10,
    timeoutMs: 5_000,
    retryBaseMs: 1_000,
    retryMaxMs: 4_000,
    pollIntervalMs: 1_000,
  };

  beforeEach(async () => {
    harness = await createCoreHarness();
    await harness.createApp('shop');
    await harness.createApp('other');
    clock = manualClock();
  });

  afterEach(async () => {
    await harness.close();
  });

  const write = async (app: string, count: number, from = 0): Promise<void> => {
    const record = (await harness.deps.store.apps.findByName(app))!;
    const writer = createLogWriter({
      store: harness.deps.store,
      clock,
      logger: silentLogger,
      settings: defaultLogSettings,
    });
    for (let index = from; index < from + count; index += 1) {
      writer.write({
        appId: record.id,
        environment: 'production',
        source: 'app',
        process: 'web',
        instanceId: 'ins_1',
        stream: index % 2 === 0 ? 'stdout' : 'stderr',
        line: `${app} ${index}`,
        atMs: clock.nowMs(),
      });
    }
    await writer.flush();
  };
  const shipper = (sender: LogDrainSender) =>
    createLogDrainShipper({ ...harness.deps, clock, logger: silentLogger }, sender, settings);
  const shipped = (sender: { batches: DrainedLogLine[][] }) => sender.batches.flat().map((line) => line.line);

  it('refuses URLs it cannot ship to, coded, storing nothing', async () => {
    const cases = [
      'not a url',
      'ftp://logs.example.com',
      'syslog+tls://logs.example.com:6514/path',
      `syslog://user:${token}@logs.example.com:514`,
      'https://logs.example.com/#x',
    ];
    for (const url of cases) {
      await expect(addLogDrain(harness.deps, { app: 'shop' }, { url })).rejects.toMatchObject({
        code: 'LOG_DRAIN_INVALID',
      });
    }
    await expect(
      addLogDrain(harness.deps, { app: 'shop' }, { url: 'syslog://logs.example.com:514', caPem: 'x' }),
    ).rejects.toMatchObject({ code: 'LOG_DRAIN_INVALID' });
    await expect(addLogDrain(harness.deps, { app: 'nope' }, { url: 'https://x.example' })).rejects.toMatchObject({
      code: 'APP_NOT_FOUND',
    });
    expect(await harness.deps.store.logDrains.list()).toHaveLength(0);
  });

  it('shows a drain by scheme, host and port only, never its credentials', async () => {
    const view = await addLogDrain(
      harness.deps,
      { app: 'shop' },
      {
        url: `https://drain:${token}@logs.example.com/ingest?token=${token}`,
      },
    );
    expect(view).toMatchObject({ kind: 'http', destination: 'https://logs.example.com', hasCa: false, lagLines: 0 });
    const syslog = await addLogDrain(harness.deps, { app: 'shop' }, { url: 'syslog+tls://logs.example.com' });
    expect(syslog.destination).toBe('syslog+tls://logs.example.com:6514');
    const listed = await listLogDrains(harness.deps, { app: 'shop' });
    expect(listed.map((d) => d.id)).toEqual([view.id, syslog.id]);
    expect(JSON.stringify(listed)).not.toContain(token);
    expect(JSON.stringify(await harness.deps.store.logDrains.list())).not.toContain(token);
    expect(await listLogDrains(harness.deps, { app: 'other' })).toEqual([]);
  });

  it('ships the lines stored after it was added, in id order, in batches of batchLines, and only its app’s', async () => {
    await write('shop', 5);
    const view = await addLogDrain(harness.deps, { app: 'shop' }, { url: 'https://logs.example.com' });
    await write('shop', 25, 5);
    await write('other', 7);
    expect((await listLogDrains(harness.deps, { app: 'shop' }))[0]?.lagLines).toBe(25);
    const sender = fakeSender();
    expect(await shipper(sender).shipDue()).toBe(25);
    expect(sender.batches.map((batch) => batch.length)).toEqual([10, 10, 5]);
    expect(shipped(sender)).toEqual(Array.from({ length: 25 }, (_, i) => `shop ${i + 5}`));
    const ids = sender.batches.flat().map((line) => line.id);
    expect(ids).toEqual([...ids].sort((a, b) => a - b));
    expect(sender.batches[0]?.[0]).toMatchObject({ app: 'shop', project: 'default', stream: 'stderr' });
    const [after] = await listLogDrains(harness.deps, { app: 'shop' });
    expect(after).toMatchObject({ id: view.id, linesShipped: 25, lagLines: 0, lastError: null });
    expect(after?.lastSuccessAt).toBe(new Date(clock.nowMs()).toISOString());
  });

  it('retries a failed send after a doubling backoff, loses nothing, and keeps the URL out of the error', async () => {
    await addLogDrain(harness.deps, { app: 'shop' }, { url: `https://logs.example.com/?token=${token}` });
    const [drain] = await harness.deps.store.logDrains.list();
    await write('shop', 15);
    const sender = fakeSender();
    const loop = shipper(sender);
    sender.isDown = true;
    expect(await loop.shipDue()).toBe(0);
    expect(loop.retryAtMs(drain!.id)).toBe(clock.nowMs() + 1_000);
    // Not due yet: no send at all.
    expect(await loop.shipDue()).toBe(0);
    expect(sender.destinations).toHaveLength(1);
    clock.advance(1_000);
    expect(await loop.shipDue()).toBe(0);
    expect(loop.retryAtMs(drain!.id)).toBe(clock.nowMs() + 2_000);
    clock.advance(2_000);
    await loop.shipDue();
    expect(loop.retryAtMs(drain!.id)).toBe(clock.nowMs() + 4_000);
    clock.advance(4_000);
    await loop.shipDue();
    // Capped at retryMaxMs.
    expect(loop.retryAtMs(drain!.id)).toBe(clock.nowMs() + 4_000);
    const [failing] = await listLogDrains(harness.deps, { app: 'shop' });
    expect(failing).toMatchObject({ linesShipped: 0, linesFailed: 40, lagLines: 15 });
    expect(failing?.lastError?.code).toBe('LOG_DRAIN_UNREACHABLE');
    expect(failing?.lastError?.message).not.toContain(token);
    sender.isDown = false;
    clock.advance(4_000);
    expect(await loop.shipDue()).toBe(15);
    expect(shipped(sender)).toEqual(Array.from({ length: 15 }, (_, i) => `shop ${i}`));
    expect(loop.retryAtMs(drain!.id)).toBeUndefined();
    expect((await listLogDrains(harness.deps, { app: 'shop' }))[0]).toMatchObject({ linesShipped: 15, lagLines: 0 });
  });

  it('resumes after the stored cursor in a new shipper: nothing lost, nothing before it sent again', async () => {
    await addLogDrain(harness.deps, { app: 'shop' }, { url: 'syslog://logs.example.com:514' });
    await write('shop', 12);
    const first = fakeSender();
    await shipper(first).shipDue();
    await write('shop', 8, 12);
    const second = fakeSender();
    expect(await shipper(second).shipDue()).toBe(8);
    expect(shipped(second)).toEqual(Array.from({ length: 8 }, (_, i) => `shop ${i + 12}`));
  });

  it('ships every app of the project from a project drain, apps created later included, kept apart from app drains', async () => {
    const appDrain = await addLogDrain(harness.deps, { app: 'shop' }, { url: 'https://app.example.com' });
    const view = await addLogDrain(harness.deps, { project: 'default' }, { url: 'https://project.example.com' });
    expect(view).toMatchObject({ project: 'default', app: null, destination: 'https://project.example.com' });
    await write('shop', 3);
    await write('other', 2);
    await harness.createApp('late');
    await write('late', 2);
    expect((await listLogDrains(harness.deps, { project: 'default' })).map((d) => [d.id, d.lagLines])).toEqual([
      [view.id, 7],
    ]);
    expect((await listLogDrains(harness.deps, { app: 'shop' })).map((d) => d.id)).toEqual([appDrain.id]);
    const sender = fakeSender();
    await shipper(sender).shipDue();
    const byUrl = (url: string) =>
      sender.batches
        .filter((_, index) => sender.destinations[index]?.url === url)
        .flat()
        .map((line) => line.line);
    expect(byUrl('https://project.example.com')).toEqual([
      'shop 0',
      'shop 1',
      'shop 2',
      'other 0',
      'other 1',
      'late 0',
      'late 1',
    ]);
    expect(byUrl('https://app.example.com')).toEqual(['shop 0', 'shop 1', 'shop 2']);
    await expect(removeLogDrain(harness.deps, { app: 'shop' }, view.id)).rejects.toMatchObject({
      code: 'LOG_DRAIN_NOT_FOUND',
    });
    await expect(listLogDrains(harness.deps, { project: 'nope' })).rejects.toMatchObject({ code: 'PROJECT_NOT_FOUND' });
    await removeLogDrain(harness.deps, { project: 'default' }, view.id);
    expect(await listLogDrains(harness.deps, { project: 'default' })).toEqual([]);
  });

  it('removes a drain of the app, and only of the app', async () => {
    const view = await addLogDrain(harness.deps, { app: 'shop' }, { url: 'https://logs.example.com' });
    await expect(removeLogDrain(harness.deps, { app: 'other' }, view.id)).rejects.toMatchObject({
      code: 'LOG_DRAIN_NOT_FOUND',
    });
    await removeLogDrain(harness.deps, { app: 'shop' }, view.id);
    expect(await listLogDrains(harness.deps, { app: 'shop' })).toEqual([]);
    await expect(removeLogDrain(harness.deps, { app: 'shop' }, view.id)).rejects.toMatchObject({
      code: 'LOG_DRAIN_NOT_FOUND',
    });
  });

  it('re-wraps a drain’s data key in a master-key rotation, and its URL still opens under the new key only', async () => {
    await addLogDrain(harness.deps, { app: 'shop' }, { url: `https://logs.example.com/?token=${token}` });
    await harness.keyring.beginRotation();
    expect(await rewrapLogDrains(harness.deps)).toBe(1);
    expect(await rewrapLogDrains(harness.deps)).toBe(0);
    await harness.keyring.completeRotation();
    const [drain] = await harness.deps.store.logDrains.list();
    expect(drain?.sealed.masterKeyId).toBe(harness.keyring.current().id);
    expect(openLogDrain(harness.deps, drain!).url).toBe(`https://logs.example.com/?token=${token}`);
  });

  it('doubles the wait from retryBaseMs up to retryMaxMs', () => {
    expect([1, 2, 3, 4, 5, 6, 40].map((n) => drainRetryDelayMs(n, 1_000, 60_000))).toEqual([
      1_000, 2_000, 4_000, 8_000, 16_000, 32_000, 60_000,
    ]);
  });
});
