import { describe, expect, it } from 'vitest';
import { isSlipwayError } from '@slipway/contract';
import type { Logger } from '@slipway/core';
import { createFailpointHook, parseFailpoints, termFor } from './failpoints.js';

const quiet: Logger = {
  debug: () => undefined,
  info: () => undefined,
  warn: () => undefined,
  error: () => undefined,
  child: () => quiet,
};

const codeOf = (run: () => unknown): string | undefined => {
  try {
    run();
    return undefined;
  } catch (error) {
    return isSlipwayError(error) ? error.code : 'not coded';
  }
};

describe('SLIPWAY_FAILPOINTS', () => {
  it('parses several points with counted terms, and an empty spec as none', () => {
    const plan = parseFailpoints('start:build=pause; rollout:step=2*off->1*sleep(50)->fail(CRASH_LOOP)');
    expect([...plan.keys()]).toEqual(['start:build', 'rollout:step']);
    const terms = plan.get('rollout:step') ?? [];
    expect([0, 1, 2, 3, 9].map((hit) => termFor(terms, hit)?.action.kind)).toEqual([
      'off',
      'off',
      'sleep',
      'fail',
      'fail',
    ]);
    expect(parseFailpoints(' ; ').size).toBe(0);
  });

  it('refuses an unknown point, action or error code with VALIDATION_FAILED', () => {
    expect(codeOf(() => parseFailpoints('start:deploy=pause'))).toBe('VALIDATION_FAILED');
    expect(codeOf(() => parseFailpoints('start:build=explode'))).toBe('VALIDATION_FAILED');
    expect(codeOf(() => parseFailpoints('start:build=fail(NOPE)'))).toBe('VALIDATION_FAILED');
    expect(codeOf(() => parseFailpoints('start:build'))).toBe('VALIDATION_FAILED');
  });

  it('holds a run at a paused point until the run is aborted, and lets other points pass', async () => {
    const hook = createFailpointHook(parseFailpoints('start:release=pause'), quiet);
    const run = new AbortController();
    await hook('start:build', { deploymentId: 'dep_1', signal: run.signal });
    let isHeld = true;
    const held = hook('start:release', { deploymentId: 'dep_1', signal: run.signal }).catch((error: unknown) => {
      isHeld = false;
      return error;
    });
    await new Promise((resolve) => setTimeout(resolve, 20));
    expect(isHeld).toBe(true);
    run.abort(new Error('shutting down'));
    expect(await held).toMatchObject({ message: 'shutting down' });
  });

  it('fails the run with the given code on the hits its term covers', async () => {
    const hook = createFailpointHook(parseFailpoints('end:build=1*fail(BUILD_TIMEOUT)->off'), quiet);
    const context = { deploymentId: 'dep_1', signal: new AbortController().signal };
    await expect(hook('end:build', context)).rejects.toMatchObject({ code: 'BUILD_TIMEOUT' });
    await expect(hook('end:build', context)).resolves.toBeUndefined();
  });
});
