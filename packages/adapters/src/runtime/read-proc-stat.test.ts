import { describe, expect, it } from 'vitest';
import { isSameProcessRunning, parseProcStat, readProcStat } from './read-proc-stat.js';

describe('readProcStat', () => {
  it('parses the state, group and start time even when the command name holds spaces and parentheses', () => {
    const fields = ['S', '1', '4242', '4242', ...Array.from({ length: 15 }, () => '0'), '987654', '0'];
    const stat = parseProcStat(4242, `4242 (we(ird) name) ${fields.join(' ')}\n`);

    expect(stat).toEqual({ pid: 4242, state: 'S', processGroupId: 4242, startTicks: 987654 });
  });

  it('recognises the running test process by its start time, and not with another start time', () => {
    const own = readProcStat(process.pid);

    expect(own).toBeDefined();
    expect(isSameProcessRunning(process.pid, own?.startTicks ?? -1)).toBe(true);
    expect(isSameProcessRunning(process.pid, (own?.startTicks ?? 0) + 1)).toBe(false);
  });
});
