/**
 * The systemd unit in deploy/ runs slipwayd as `npm start` does (the same bundle and Node flags), restarts it when it
 * fails, and stops slipwayd alone — the edge and the apps outlive it — and systemd accepts it.
 */
import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { skipUnless } from '@slipway/testkit';
import { slipwaydNodeFlags } from '../../scripts/slipwayd-node-flags.mjs';

const repoRoot = join(import.meta.dirname, '..', '..');
const unitFile = join(repoRoot, 'deploy', 'systemd', 'slipwayd.service');

/** `Key=value` lines of one `[Section]`. */
function section(text: string, name: string): Map<string, string> {
  const entries = new Map<string, string>();
  let current = '';
  for (const raw of text.split('\n')) {
    const line = raw.trim();
    if (line === '' || line.startsWith('#')) continue;
    const header = /^\[(.+)\]$/.exec(line);
    if (header !== null) current = header[1] ?? '';
    else if (current === name) {
      const at = line.indexOf('=');
      entries.set(line.slice(0, at), line.slice(at + 1));
    }
  }
  return entries;
}

const hasSystemdAnalyze = spawnSync('systemd-analyze', ['--version']).status === 0;

describe('deploy/systemd/slipwayd.service', () => {
  const text = readFileSync(unitFile, 'utf8');
  const service = section(text, 'Service');

  it('runs the bundled slipwayd with the Node flags npm start uses', () => {
    const execStart = service.get('ExecStart') ?? '';
    expect(execStart).toMatch(/\/apps\/server\/dist\/slipwayd\.mjs --data-dir \S+/);
    for (const flag of slipwaydNodeFlags) expect(execStart).toContain(flag);
  });

  it('restarts slipwayd when it fails, and stops slipwayd alone so the edge and the apps keep serving', () => {
    expect(service.get('Restart')).toBe('on-failure');
    expect(service.get('KillMode')).toBe('process');
    expect(service.get('KillSignal')).toBe('SIGTERM');
    expect(section(text, 'Install').get('WantedBy')).toBe('multi-user.target');
  });

  describe(
    'with systemd',
    skipUnless({ isAvailable: hasSystemdAnalyze, reason: 'systemd-analyze is not installed' }),
    () => {
      it('is a unit systemd accepts', () => {
        const result = spawnSync('systemd-analyze', ['verify', unitFile], { encoding: 'utf8' });
        expect(result.stderr.split('\n').filter((line) => line.includes('slipwayd.service'))).toEqual([]);
        expect(result.status).toBe(0);
      });
    },
  );
});
