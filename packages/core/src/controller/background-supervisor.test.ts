import { describe, expect, it } from 'vitest';
import type { Logger } from '../ports/logger.js';
import { createBackgroundSupervisor } from './background-supervisor.js';

interface Entry {
  level: string;
  fields: Record<string, unknown>;
  message: string;
}

function recordingLogger(entries: Entry[]): Logger {
  const at =
    (level: string) =>
    (fields: object, message: string): void => {
      entries.push({ level, fields: fields as Record<string, unknown>, message });
    };
  const logger: Logger = {
    debug: at('debug'),
    info: at('info'),
    warn: at('warn'),
    error: at('error'),
    child: () => logger,
  };
  return logger;
}

describe('background supervisor', () => {
  it('logs a failure with its name and context, whether the work rejects or throws before its first await', async () => {
    const entries: Entry[] = [];
    const supervisor = createBackgroundSupervisor(recordingLogger(entries));

    supervisor.run('instance restart', () => Promise.reject(new Error('engine gone')), { instanceId: 'ins_1' });
    supervisor.run(
      'instance retire',
      () => {
        throw new Error('thrown at once');
      },
      { instanceId: 'ins_2' },
    );
    await supervisor.idle();

    expect(entries.map((e) => [e.level, e.message, e.fields['instanceId'], e.fields['work']]).sort()).toEqual([
      ['warn', 'instance restart failed', 'ins_1', 'instance restart'],
      ['warn', 'instance retire failed', 'ins_2', 'instance retire'],
    ]);
    expect(supervisor.inFlight).toBe(0);
  });

  it('does not start work of a name and key already in flight, and starts it again once that is over', async () => {
    const supervisor = createBackgroundSupervisor(recordingLogger([]));
    let runs = 0;
    const finishes: (() => void)[] = [];
    const work = async (): Promise<void> => {
      runs += 1;
      await new Promise<void>((resolve) => finishes.push(resolve));
    };

    supervisor.run('instance restart', work, { key: 'ins_1' });
    supervisor.run('instance restart', work, { key: 'ins_1' });
    supervisor.run('instance retire', work, { key: 'ins_1' });
    expect(runs).toBe(2);
    expect(supervisor.inFlight).toBe(2);
    for (const finish of finishes) finish();
    await supervisor.idle();
    supervisor.run('instance restart', work, { key: 'ins_1' });
    for (const finish of finishes.slice(2)) finish();
    await supervisor.idle();

    expect(runs).toBe(3);
    expect(supervisor.inFlight).toBe(0);
  });

  it('waits on stop for the work in flight, and refuses work after it', async () => {
    const entries: Entry[] = [];
    const supervisor = createBackgroundSupervisor(recordingLogger(entries));
    let isDone = false;
    supervisor.run('slow', async () => {
      await new Promise((resolve) => setTimeout(resolve, 20));
      isDone = true;
    });

    await supervisor.stop();
    expect(isDone).toBe(true);
    let isRefusedRun = false;
    supervisor.run('late', async () => {
      isRefusedRun = true;
    });

    expect(isRefusedRun).toBe(false);
    expect(supervisor.inFlight).toBe(0);
    expect(entries.map((e) => [e.level, e.fields['work']])).toEqual([['debug', 'late']]);
  });
});
