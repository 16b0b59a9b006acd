/**
 * The persisted log over real SQLite: lines numbered as stored, each app's queue bounded (what is dropped is counted
 * and said), retention by time (a manual clock) and by size, with each app's override over slipwayd's defaults, and
 * the resume point found in a backlog that overlaps what was stored.
 */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import {
  createLogWriter,
  defaultLogSettings,
  pruneLogs,
  readLogHistory,
  storedPrefixLength,
  type AppRecord,
  type LogSettings,
  type NewLogLine,
} from '@slipway/core';
import { silentLogger } from '@slipway/testkit';
import { manualClock, type ManualClock } from './catalog-engine-fixtures.js';
import { createCoreHarness, type CoreHarness } from './core-harness.js';

describe('the persisted log', () => {
  let harness: CoreHarness;
  let clock: ManualClock;
  let app: AppRecord;
  const settings: LogSettings = { ...defaultLogSettings, maxQueuedLinesPerApp: 100, retentionMs: 3_600_000 };

  beforeEach(async () => {
    harness = await createCoreHarness();
    await harness.createApp('hello');
    app = (await harness.deps.store.apps.findByName('hello'))!;
    clock = manualClock();
  });

  afterEach(async () => {
    await harness.close();
  });

  const line = (text: string, atMs = clock.nowMs()): NewLogLine => ({
    appId: app.id,
    environment: 'production',
    source: 'app',
    process: 'web',
    instanceId: 'ins_1',
    stream: 'stdout',
    line: text,
    atMs,
  });
  const writerWith = (over: Partial<LogSettings> = {}) =>
    createLogWriter({ store: harness.deps.store, clock, logger: silentLogger, settings: { ...settings, ...over } });
  const stored = () => harness.deps.store.logLines.list({ appId: app.id, order: 'asc', limit: 100_000 });

  it('numbers lines in the order they are stored, and reads from after an id with no gap and no repeat', async () => {
    const writer = writerWith();
    for (let index = 0; index < 50; index += 1) writer.write(line(`line ${index}`));
    await writer.flush();
    const all = await stored();
    expect(all.map((row) => row.line)).toEqual(Array.from({ length: 50 }, (_, index) => `line ${index}`));
    const pivot = all[19]!.id;
    const page = await readLogHistory(harness.deps, { app: 'hello', afterId: pivot, limit: 20 });
    expect(page.lines.map((l) => l.id)).toEqual(all.slice(20, 40).map((row) => row.id));
    expect(page.nextAfterId).toBe(all[39]!.id);
    const rest = await readLogHistory(harness.deps, { app: 'hello', afterId: page.nextAfterId!, limit: 20 });
    expect(rest.lines.map((l) => l.id)).toEqual(all.slice(40).map((row) => row.id));
    expect(rest.nextAfterId).toBeUndefined();
  });

  it('drops what passes an app’s queue bound, counts it and says so in a stored line', async () => {
    const writer = writerWith();
    for (let index = 0; index < 250; index += 1) writer.write(line(`line ${index}`));
    expect(writer.droppedLines().get(app.id)).toBe(150);
    await writer.flush();
    writer.write(line('after the burst'));
    await writer.flush();
    const lines = (await stored()).map((row) => row.line);
    expect(lines.filter((text) => text.startsWith('line '))).toHaveLength(100);
    expect(lines).toContain('[slipway] 150 log line(s) dropped: the app wrote faster than its lines could be stored');
    expect(lines.at(-1)).toBe('after the burst');
  });

  it('prunes lines older than the retention, by the clock', async () => {
    const writer = writerWith();
    writer.write(line('old'));
    await writer.flush();
    clock.advance(30 * 60_000);
    writer.write(line('newer'));
    await writer.flush();
    clock.advance(31 * 60_000);
    expect(await pruneLogs({ store: harness.deps.store, clock }, settings)).toEqual({ expired: 1, overBudget: 0 });
    expect((await stored()).map((row) => row.line)).toEqual(['newer']);
    clock.advance(30 * 60_000);
    await pruneLogs({ store: harness.deps.store, clock }, settings);
    expect(await stored()).toEqual([]);
  });

  it('keeps an app within its size budget, oldest lines first, and honours its override', async () => {
    const writer = writerWith({ maxBytesPerApp: 1_000_000 });
    for (let index = 0; index < 100; index += 1)
      writer.write(line(`${String(index).padStart(3, '0')}${'x'.repeat(97)}`));
    await writer.flush();
    expect(await stored()).toHaveLength(100);
    const budgeted = { ...settings, maxBytesPerApp: 2_000 };
    expect(await pruneLogs({ store: harness.deps.store, clock }, budgeted)).toEqual({ expired: 0, overBudget: 80 });
    expect((await stored()).map((row) => row.line.slice(0, 3))).toEqual(
      Array.from({ length: 20 }, (_, index) => String(80 + index).padStart(3, '0')),
    );
    await harness.deps.store.logSettings.put({ appId: app.id, retentionMs: null, maxBytes: 500, updatedAtMs: 0 });
    await pruneLogs({ store: harness.deps.store, clock }, budgeted);
    expect(await stored()).toHaveLength(5);
    await harness.deps.store.logSettings.put({ appId: app.id, retentionMs: 60_000, maxBytes: null, updatedAtMs: 0 });
    clock.advance(60_001);
    await pruneLogs({ store: harness.deps.store, clock }, budgeted);
    expect(await stored()).toEqual([]);
  });

  it('prunes a chatty app to its budget as it writes, not only at the next retention pass', async () => {
    const writer = writerWith({ maxBytesPerApp: 5_000, maxQueuedLinesPerApp: 10_000 });
    for (let index = 0; index < 1_000; index += 1) writer.write(line('y'.repeat(100)));
    await writer.flush();
    const bytes = (await stored()).reduce((sum, row) => sum + row.line.length, 0);
    expect(bytes).toBeLessThanOrEqual(5_000);
  });

  it('finds where a backlog overlapping the stored lines resumes', () => {
    expect(storedPrefixLength(['a', 'b', 'c', 'd', 'e'], ['b', 'c'])).toBe(3);
    expect(storedPrefixLength(['c', 'd', 'e'], ['a', 'b', 'c'])).toBe(1);
    expect(storedPrefixLength(['x', 'y'], ['a', 'b'])).toBe(0);
    expect(storedPrefixLength(['ok', 'ok', 'ok', 'new'], ['ok', 'ok'])).toBe(3);
    expect(storedPrefixLength(['a'], [])).toBe(0);
  });
});
