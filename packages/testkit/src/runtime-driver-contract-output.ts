/**
 * The RuntimeDriver contract's cases on an instance's output and on running commands in it: tails, times, following,
 * exec and its deadline. Run by `describeRuntimeDriver`, inside its suite, with its helpers.
 */
import { expect, it } from 'vitest';
import type { InstanceSpec, RuntimeDriver } from '@slipway/core';
import { collect, numberedLines, timesOf, within } from './runtime-driver-contract-helpers.js';
import type { RuntimeDriverPrograms } from './runtime-driver-contract.js';

/** What the suite lends its cases: a driver that it cleans up after, specs of its own, and its waits. */
export interface RuntimeDriverCaseContext {
  readonly programs: RuntimeDriverPrograms;
  readonly createDriver: () => Promise<RuntimeDriver>;
  readonly specOf: (command: string, overrides?: Partial<InstanceSpec>) => InstanceSpec;
  readonly waitForStdout: (driver: RuntimeDriver, instanceId: string, expected: string[]) => Promise<void>;
  /** The suite's bound on a wait. */
  readonly wait: { timeoutMs: number; intervalMs: number };
  /** Unique to this run of the suite (ids of instances it makes up). */
  readonly runId: string;
}

export function describeRuntimeDriverOutput(context: RuntimeDriverCaseContext): void {
  const { programs, createDriver, specOf, waitForStdout, wait, runId } = context;

  it('tails the last lines of the output', async () => {
    const driver = await createDriver();
    const spec = specOf(programs.chatty(20));
    await driver.start(spec);
    await waitForStdout(driver, spec.instanceId, numberedLines(1, 20));

    const tail = await collect(driver.logs(spec.instanceId, { tailLines: 5, follow: false }));

    expect(tail).toEqual(numberedLines(16, 20).map((line) => ({ stream: 'stdout', line })));
  });

  it('gives the lines it knows a time of, in the order they were written', async () => {
    const driver = await createDriver();
    const spec = specOf(programs.chatty(20));
    await driver.start(spec);
    await waitForStdout(driver, spec.instanceId, numberedLines(1, 20));

    const times = (await timesOf(driver.logs(spec.instanceId, { tailLines: 20, follow: false }))).filter(
      (time): time is number => time !== undefined,
    );

    expect(times).toEqual([...times].sort((a, b) => a - b));
    for (const time of times) expect(Number.isInteger(time) && time > 0).toBe(true);
  });

  it('follows the output, each line once, and ends when the signal aborts', async () => {
    const driver = await createDriver();
    const spec = specOf(programs.chatty(5));
    const controller = new AbortController();
    await driver.start(spec);

    const lines = driver.logs(spec.instanceId, { tailLines: 100, follow: true, signal: controller.signal });
    const iterator = lines[Symbol.asyncIterator]();
    const received: string[] = [];
    while (received.length < 5) {
      const next = await within(iterator.next(), wait.timeoutMs, 'the next followed line');
      if (next.done === true) break;
      received.push(next.value.line);
    }
    const pending = iterator.next();
    controller.abort();

    expect(received).toEqual(numberedLines(1, 5));
    await expect(within(pending, wait.timeoutMs, 'the end of following')).resolves.toMatchObject({ done: true });
  });

  it('rejects logs of an unknown instance with INSTANCE_NOT_FOUND', async () => {
    const driver = await createDriver();

    await expect(
      collect(driver.logs(`contract-${runId}-unknown`, { tailLines: 10, follow: false })),
    ).rejects.toMatchObject({ code: 'INSTANCE_NOT_FOUND' });
  });

  it('runs exec in the instance and returns its exit code and output', async () => {
    const driver = await createDriver();
    const spec = specOf(programs.chatty(1));
    await driver.start(spec);

    const result = await driver.exec(spec.instanceId, programs.execEcho('exec-ok', 4), { timeoutMs: wait.timeoutMs });

    expect(result.exitCode).toBe(4);
    expect(result.output).toContain('exec-ok');
  });

  it('reports a non-zero exit code when exec runs out of time', async () => {
    const driver = await createDriver();
    const spec = specOf(programs.chatty(1));
    await driver.start(spec);

    const result = await driver.exec(spec.instanceId, programs.execHang, { timeoutMs: 200 });

    expect(result.exitCode).not.toBe(0);
  });

  it('rejects exec of an unknown instance with INSTANCE_NOT_FOUND', async () => {
    const driver = await createDriver();

    await expect(
      driver.exec(`contract-${runId}-unknown`, programs.execEcho('never', 0), { timeoutMs: 1_000 }),
    ).rejects.toMatchObject({ code: 'INSTANCE_NOT_FOUND' });
  });
}
