/** A pass run every interval until stopped, never two at once, its failures reported: the shape of the core's loops. */

export interface PeriodicPass {
  /** Runs one pass now, after the one under way if any; passes never overlap. */
  readonly run: () => Promise<void>;
  /** Runs a pass `intervalMs` after the end of the previous one, until stopped. */
  readonly start: () => void;
  /** Stops the loop and waits for a pass under way. */
  readonly stop: () => Promise<void>;
}

export function createPeriodicPass(
  pass: () => Promise<void>,
  options: { intervalMs: number; onFailure: (error: unknown) => void },
): PeriodicPass {
  let running: Promise<void> | undefined;
  let timer: ReturnType<typeof setTimeout> | undefined;
  let isStopped = false;

  const run = async (): Promise<void> => {
    while (running !== undefined) await running;
    running = pass().finally(() => {
      running = undefined;
    });
    return running;
  };

  const schedule = (): void => {
    if (isStopped) return;
    timer = setTimeout(() => {
      run().catch(options.onFailure).finally(schedule);
    }, options.intervalMs);
    timer.unref();
  };

  return {
    run,
    start: () => {
      isStopped = false;
      schedule();
    },
    stop: async () => {
      isStopped = true;
      if (timer !== undefined) clearTimeout(timer);
      await running;
    },
  };
}
