import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Writable } from 'node:stream';
import { pino } from 'pino';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { probeProcessSandbox } from '@slipway/adapters';
import { resolveConfig, type ResolvedConfig } from './config.js';
import { resolveProcessIsolation } from './process-isolation.js';

const resolved = (argv: string[], env: NodeJS.ProcessEnv = {}): ResolvedConfig => {
  const config = resolveConfig(argv, env, '/srv/app');
  if (config === 'help') throw new Error('expected a configuration');
  return config;
};

/** A real pino logger whose lines are kept, parsed. */
function capturingLogger(): { logger: pino.Logger; lines: Record<string, unknown>[] } {
  const lines: Record<string, unknown>[] = [];
  const stream = new Writable({
    write(chunk: Buffer, _encoding, callback) {
      lines.push(JSON.parse(chunk.toString('utf8')) as Record<string, unknown>);
      callback();
    },
  });
  return { logger: pino({ level: 'info' }, stream), lines };
}

describe('slipwayd configuration: isolation', () => {
  it('is auto by default, and taken from --isolation over SLIPWAY_ISOLATION', () => {
    expect(resolved([]).isolation).toBe('auto');
    expect(resolved([], { SLIPWAY_ISOLATION: 'none' }).isolation).toBe('none');
    expect(resolved(['--isolation', 'sandbox'], { SLIPWAY_ISOLATION: 'none' }).isolation).toBe('sandbox');
  });

  it('refuses a mode it does not know with VALIDATION_FAILED naming the field', () => {
    expect(() => resolved(['--isolation', 'chroot'])).toThrow(/isolation/);
    expect(() => resolved(['--isolation', 'chroot'])).toThrow(expect.objectContaining({ code: 'VALIDATION_FAILED' }));
  });
});

describe('process isolation at start', () => {
  let dataDir = '';

  beforeEach(async () => {
    dataDir = await mkdtemp(join(tmpdir(), 'slipway-isolation-'));
  });

  afterEach(async () => {
    await rm(dataDir, { recursive: true, force: true });
  });

  it('runs unsandboxed when told to, warning once that instances are not isolated', () => {
    const { logger, lines } = capturingLogger();

    const isolation = resolveProcessIsolation({ ...resolved(['--isolation', 'none']), dataDir }, [], logger);

    expect(isolation).toEqual({ view: { mode: 'none', reason: 'isolation is set to none' } });
    const warnings = lines.filter((line) => line['level'] === 40);
    expect(warnings).toHaveLength(1);
    expect(warnings[0]?.['msg']).toMatch(/not isolated/);
  });

  it('sandboxes when the machine can, and otherwise says why (auto), or refuses to start (sandbox)', () => {
    const probe = probeProcessSandbox();
    const { logger, lines } = capturingLogger();

    if (probe.isAvailable) {
      const auto = resolveProcessIsolation({ ...resolved([]), dataDir }, [], logger);
      expect(auto.view).toEqual({ mode: 'sandbox' });
      expect(auto.sandbox).toBeDefined();
      expect(resolveProcessIsolation({ ...resolved(['--isolation', 'sandbox']), dataDir }, [], logger).view).toEqual({
        mode: 'sandbox',
      });
      expect(lines.filter((line) => line['level'] === 40)).toEqual([]);
    } else {
      expect(resolveProcessIsolation({ ...resolved([]), dataDir }, [], logger).view).toEqual({
        mode: 'none',
        reason: probe.reason,
      });
      expect(() => resolveProcessIsolation({ ...resolved(['--isolation', 'sandbox']), dataDir }, [], logger)).toThrow(
        expect.objectContaining({ code: 'RUNTIME_UNAVAILABLE' }),
      );
    }
  });
});
