/**
 * The RuntimeDriver contract's cases on deadlines: a call whose signal aborts rejects at once with a coded error, and
 * one aborted before it began changes nothing. Run by `describeRuntimeDriver`, inside its suite, with its helpers.
 */
import { expect, it } from 'vitest';
import { SlipwayError } from '@slipway/contract';
import type { RuntimeDriverCaseContext } from './runtime-driver-contract-output.js';

/** Rejects with the error's code, or resolves with `resolved` when the promise resolves (so the test says which). */
const codeOf = (promise: Promise<unknown>): Promise<string> =>
  promise.then(
    () => 'resolved',
    (error: unknown) => (error instanceof SlipwayError ? error.code : `not coded: ${String(error)}`),
  );

export function describeRuntimeDriverDeadlines(context: RuntimeDriverCaseContext): void {
  const { programs, createDriver, specOf, waitForStdout } = context;

  it('rejects every call whose deadline has passed already with RUNTIME_TIMEOUT, starting nothing', async () => {
    const driver = await createDriver();
    const running = specOf(programs.chatty(1));
    await driver.start(running);
    await waitForStdout(driver, running.instanceId, ['line 1']);
    const signal = AbortSignal.abort();
    const id = running.instanceId;
    const refused = specOf(programs.httpServer);

    const codes = {
      start: await codeOf(driver.start(refused, { signal })),
      inspect: await codeOf(driver.inspect(id, { signal })),
      list: await codeOf(driver.list({ signal })),
      stats: await codeOf(driver.stats(id, { signal })),
      exec: await codeOf(driver.exec(id, programs.execEcho('hi', 0), { timeoutMs: 5_000, signal })),
      stop: await codeOf(driver.stop(id, { signal })),
      remove: await codeOf(driver.remove(id, { signal })),
    };

    expect(codes).toEqual({
      start: 'RUNTIME_TIMEOUT',
      inspect: 'RUNTIME_TIMEOUT',
      list: 'RUNTIME_TIMEOUT',
      stats: 'RUNTIME_TIMEOUT',
      exec: 'RUNTIME_TIMEOUT',
      stop: 'RUNTIME_TIMEOUT',
      remove: 'RUNTIME_TIMEOUT',
    });
    expect(await driver.inspect(refused.instanceId)).toBeUndefined();
    expect((await driver.list()).map((s) => s.instanceId)).not.toContain(refused.instanceId);
    expect(await driver.inspect(id)).toMatchObject({ state: 'running' });
  });

  it('rejects a call at once when its deadline passes while it waits, with the reason the deadline gave', async () => {
    const driver = await createDriver();
    const spec = specOf(programs.chatty(1));
    await driver.start(spec);
    await waitForStdout(driver, spec.instanceId, ['line 1']);
    const deadline = new AbortController();
    const reason = new SlipwayError('RUNTIME_TIMEOUT', 'the test deadline passed');

    // The command itself would run for an hour: only the call's deadline can end the wait.
    const exec = driver.exec(spec.instanceId, programs.execHang, { timeoutMs: 3_600_000, signal: deadline.signal });
    setTimeout(() => deadline.abort(reason), 200);

    await expect(exec).rejects.toBe(reason);
  });
}
