/** Reads Linux's /proc/<pid>/stat: the facts that tell a process apart from a later one reusing its pid. */
import { readdirSync, readFileSync } from 'node:fs';

export interface ProcStat {
  pid: number;
  /** One-letter state: R, S, D, T … and Z (zombie) or X (dead) once it has exited. */
  state: string;
  processGroupId: number;
  /** Field 22: start time in clock ticks since boot; fixed for the life of the process, different for a reused pid. */
  startTicks: number;
  /** Fields 14 and 15: CPU time in user and kernel mode, clock ticks. */
  cpuTicks: number;
  /** Field 20: threads. */
  threads: number;
  /** Field 24: resident set size, pages. */
  rssPages: number;
}

/** The parsed stat line of a process, or undefined when no such process exists (or it cannot be read). */
export function readProcStat(pid: number): ProcStat | undefined {
  let text: string;
  try {
    text = readFileSync(`/proc/${pid}/stat`, 'utf8');
  } catch {
    return undefined;
  }
  return parseProcStat(pid, text);
}

export function parseProcStat(pid: number, text: string): ProcStat | undefined {
  // The command name (field 2) is in parentheses and may itself contain spaces and parentheses.
  const nameEnd = text.lastIndexOf(')');
  if (nameEnd < 0) return undefined;
  const fields = text
    .slice(nameEnd + 1)
    .trim()
    .split(/\s+/);
  // fields[0] is field 3 of stat(5), so field n is fields[n - 3].
  const state = fields[0];
  const processGroupId = Number(fields[5 - 3]);
  const startTicks = Number(fields[22 - 3]);
  if (state === undefined || !Number.isSafeInteger(processGroupId) || !Number.isSafeInteger(startTicks)) {
    return undefined;
  }
  const cpuTicks = Number(fields[14 - 3]) + Number(fields[15 - 3]);
  const threads = Number(fields[20 - 3]);
  const rssPages = Number(fields[24 - 3]);
  return { pid, state, processGroupId, startTicks, cpuTicks, threads, rssPages };
}

/** Zombies and dead entries still have a stat file (and accept signal 0) but run nothing. */
export function isLiveState(state: string): boolean {
  return state !== 'Z' && state !== 'X' && state !== 'x';
}

/** True when `pid` runs and is the very process that started at `startTicks` (not a later one reusing the pid). */
export function isSameProcessRunning(pid: number, startTicks: number): boolean {
  try {
    process.kill(pid, 0);
  } catch (error) {
    // EPERM: it exists but belongs to someone else; the start time below still decides whether it is ours.
    if ((error as NodeJS.ErrnoException).code !== 'EPERM') return false;
  }
  const stat = readProcStat(pid);
  return stat !== undefined && isLiveState(stat.state) && stat.startTicks === startTicks;
}

/**
 * Live members of process group `processGroupId` that started no earlier than `notBeforeTicks` (the leader's start),
 * so a group id taken over by a later, unrelated process group is never mistaken for ours.
 */
export function findProcessGroupMembers(processGroupId: number, notBeforeTicks: number): number[] {
  const members: number[] = [];
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    const stat = readProcStat(Number(entry));
    if (
      stat !== undefined &&
      stat.processGroupId === processGroupId &&
      isLiveState(stat.state) &&
      stat.startTicks >= notBeforeTicks
    ) {
      members.push(stat.pid);
    }
  }
  return members;
}
