/**
 * Failpoints are a test-build facility: slipwayd's release bundle leaves the failpoint module out and starts normally
 * whatever `SLIPWAY_FAILPOINTS` says (saying that it ignores it), while the test build the end-to-end suites run
 * honours it — there, a value that names no failpoint refuses the start.
 */
import { readFile } from 'node:fs/promises';
import { afterEach, describe, expect, it } from 'vitest';
import { SlipwaydHarness, slipwaydEntries } from './slipwayd-harness.js';

describe('release and test builds of slipwayd', () => {
  const harnesses: SlipwaydHarness[] = [];

  afterEach(async () => {
    for (const harness of harnesses.splice(0)) await harness.destroy();
  });

  const harness = async (): Promise<SlipwaydHarness> => {
    const created = await SlipwaydHarness.create();
    harnesses.push(created);
    return created;
  };

  it('leaves the failpoint module out of the release bundle and keeps it in the test bundle', async () => {
    expect(await readFile(slipwaydEntries.test, 'utf8')).toContain('failpoint hit');
    expect(await readFile(slipwaydEntries.release, 'utf8')).not.toContain('failpoint hit');
  });

  it('starts the release build with SLIPWAY_FAILPOINTS set, ignoring it and saying so', async () => {
    const slipwayd = await harness();
    await slipwayd.start({ env: { SLIPWAY_FAILPOINTS: 'no-such-point=off' }, build: 'release' });
    expect(slipwayd.output).toContain('SLIPWAY_FAILPOINTS ignored');
    expect(slipwayd.output).not.toContain('failpoints enabled');
  });

  it('refuses to start the test build on a SLIPWAY_FAILPOINTS that names no failpoint', async () => {
    const slipwayd = await harness();
    await expect(slipwayd.start({ env: { SLIPWAY_FAILPOINTS: 'no-such-point=off' } })).rejects.toThrow(
      /VALIDATION_FAILED: SLIPWAY_FAILPOINTS: "no-such-point=off" does not name a failpoint/,
    );
  });
});
