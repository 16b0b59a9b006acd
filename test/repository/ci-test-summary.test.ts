/**
 * CI's list of skips, end to end: a real Vitest run of a fixture that skips three ways (a suite whose need is missing,
 * `context.skip(reason)`, `it.skip`) goes through `.ci/test-summary.mjs`, which must name every skipped test with its
 * reason, fail each one the allow-list does not name, and end on the closing line CI is read by.
 */
import { execFileSync, spawnSync } from 'node:child_process';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

const repoRoot = join(import.meta.dirname, '..', '..');

describe('CI test summary', () => {
  let scratch: string;
  let report: string;

  beforeAll(async () => {
    scratch = await mkdtemp(join(tmpdir(), 'slipway-ci-summary-'));
    report = join(scratch, 'report.json');
    const vitest = join(repoRoot, 'node_modules/vitest/vitest.mjs');
    const config = join(repoRoot, 'test/fixtures/ci-skips/vitest.config.ts');
    execFileSync(
      process.execPath,
      [vitest, 'run', '--config', config, '--reporter=json', `--outputFile.json=${report}`],
      {
        cwd: repoRoot,
        stdio: 'ignore',
        env: { ...process.env, VITEST_POOL_ID: undefined, VITEST_WORKER_ID: undefined, VITEST: undefined },
      },
    );
  });

  afterAll(async () => {
    await rm(scratch, { recursive: true, force: true });
  });

  /** Runs the summary with 3 passed and 0 failed static checks against an allow-list with this text. */
  const summarise = async (allowList: string): Promise<{ status: number | null; lines: string[] }> => {
    const allowFile = join(scratch, 'allowed-skips');
    await writeFile(allowFile, allowList);
    const run = spawnSync(process.execPath, ['.ci/test-summary.mjs', report, allowFile, '3', '0'], {
      cwd: repoRoot,
      encoding: 'utf8',
    });
    return { status: run.status, lines: run.stdout.trimEnd().split('\n') };
  };

  it('lists every skipped test with its reason and fails each one the allow-list does not name', async () => {
    const { status, lines } = await summarise('# nothing is allowed\n');
    const fixture = 'test/fixtures/ci-skips/skips.test.ts';
    expect(lines).toContain(`  skipped ${fixture} > an engine that is not there > would use the engine`);
    expect(lines).toContain('      reason: no engine answers (fixture)');
    expect(lines).toContain(`  skipped ${fixture} > a test that decides to skip > skips at run time, saying why`);
    expect(lines).toContain('      reason: the fixture skips on purpose');
    expect(lines).toContain(`  skipped ${fixture} > skips without a reason`);
    expect(lines).toContain('      reason: no reason given');
    expect(lines.filter((l) => l.trim() === 'NOT ALLOWED')).toHaveLength(3);
    expect(lines.at(-1)).toBe('4 passed, 3 failed, 0 skipped');
    expect(status).toBe(1);
  });

  it('passes when every skip is allowed with a reason, and counts them as skipped', async () => {
    const { status, lines } = await summarise(
      [
        '# the fixture has no engine',
        'test/fixtures/ci-skips/skips.test.ts > an engine that is not there > *',
        '# skipped on purpose',
        '*skips at run time, saying why',
        '# no reason, on purpose',
        'test/fixtures/ci-skips/skips.test.ts > skips without a reason',
        '',
      ].join('\n'),
    );
    expect(lines.filter((l) => l.startsWith('      allowed: '))).toHaveLength(3);
    expect(lines.at(-1)).toBe('4 passed, 0 failed, 3 skipped');
    expect(status).toBe(0);
  });

  it('refuses an allow-list entry that does not say why', async () => {
    const { status, lines } = await summarise('*\n');
    expect(lines).toContain(
      `ci: ${join(scratch, 'allowed-skips')}:1: "*" has no comment above it saying why it may skip`,
    );
    expect(lines.at(-1)).toBe('4 passed, 4 failed, 0 skipped');
    expect(status).toBe(1);
  });
});
