/**
 * What a process instance uses, from Linux's /proc: the resident memory, threads and CPU time of every live member of
 * its process group, CPU as the share of the time between two samples of the same instance.
 */
import type { InstanceStats } from '@slipway/core';
import { findProcessGroupMembers, readProcStat } from './read-proc-stat.js';

/** Linux's USER_HZ and page size as Node ships on Linux (x86_64 and arm64): 100 ticks/s, 4 KiB pages. */
const ticksPerSecond = 100;
const pageBytes = 4096;

interface Sample {
  cpuTicks: number;
  atMs: number;
}

export interface ProcessGroupStats {
  /** Stats of the group led by `pid` (started at `startTicks`), or undefined when it is gone. */
  sample(instanceId: string, pid: number, startTicks: number): InstanceStats | undefined;
  forget(instanceId: string): void;
}

export function createProcessGroupStats(nowMs: () => number = Date.now): ProcessGroupStats {
  const previous = new Map<string, Sample>();
  return {
    sample(instanceId, pid, startTicks) {
      const leader = readProcStat(pid);
      if (leader === undefined || leader.startTicks !== startTicks) return undefined;
      let cpuTicks = 0;
      let threads = 0;
      let rssPages = 0;
      for (const member of findProcessGroupMembers(leader.processGroupId, startTicks)) {
        const stat = readProcStat(member);
        if (stat === undefined) continue;
        cpuTicks += stat.cpuTicks;
        threads += stat.threads;
        rssPages += stat.rssPages;
      }
      const atMs = nowMs();
      const before = previous.get(instanceId);
      previous.set(instanceId, { cpuTicks, atMs });
      const elapsedSeconds = before === undefined ? 0 : (atMs - before.atMs) / 1000;
      const cpus =
        before === undefined || elapsedSeconds <= 0
          ? 0
          : Math.max(0, (cpuTicks - before.cpuTicks) / ticksPerSecond / elapsedSeconds);
      return { memoryBytes: rssPages * pageBytes, cpus, pids: Math.max(1, threads) };
    },
    forget: (instanceId) => previous.delete(instanceId),
  };
}
