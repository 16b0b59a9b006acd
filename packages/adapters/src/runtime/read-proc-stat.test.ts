import { describe, expect, it } from 'vitest';
import { isSameProcessRunning, parseProcStat, readProcStat } from './read-proc-stat.js';

describe('readProcStat', () => {
  it('parses the state, group, start time and usage even when the command name holds spaces and parentheses', () => {
    // Fields 3 to 24 of stat(5): utime 14 = 30, stime 15 = 12, threads 20 = 7, starttime 22, rss 24 = 2500 pages.
    const fields = ['S', '1', '4242', '4242', '0', '0', '0', '0', '0', '0', '0', '30', '12', '0', '0', '0', '0', '7'];
    const line = [...fields, '0', '987654', '123456', '2500', '0'].join(' ');
    const stat = parseProcStat(4242, `4242 (we(ird) name) ${line}\n`);

    expect(stat).toEqual({
      pid: 4242,
      state: 'S',
      processGroupId: 4242,
      startTicks: 987654,
      cpuTicks: 42,
      threads: 7,
      rssPages: 2500,
    });
  });

  it('recognises the running test process by its start time, and not with another start time', () => {
    const own = readProcStat(process.pid);

    expect(own).toBeDefined();
    expect(isSameProcessRunning(process.pid, own?.startTicks ?? -1)).toBe(true);
    expect(isSameProcessRunning(process.pid, (own?.startTicks ?? 0) + 1)).toBe(false);
  });
});
