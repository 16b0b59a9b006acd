/** Stops a detached process group: SIGTERM to the whole group, then SIGKILL once the grace period has passed. */
import { findProcessGroupMembers, readProcStat, isLiveState } from './read-proc-stat.js';

export interface ProcessGroupToStop {
  /** The group leader's pid, which is also the group id (the instance was spawned detached). */
  pid: number;
  /** The leader's start time, from `/proc/<pid>/stat`: guards against signalling a reused pid. */
  startTicks: number;
  graceMs: number;
  /**
   * SIGTERM goes to every member but the leader, which must outlive them to report their exit (a sandbox's bwrap);
   * SIGKILL still goes to the whole group.
   */
  isLeaderSpared?: boolean;
  /** How long to wait for the group to vanish after SIGKILL before giving up. */
  killWaitMs?: number;
  pollMs?: number;
}

/** `none`: nothing of the group was running; `terminated`: it left after SIGTERM; `killed`: it needed SIGKILL; `stuck`: it survived SIGKILL (uninterruptible sleep). */
export type StopOutcome = 'none' | 'terminated' | 'killed' | 'stuck';

export async function stopProcessGroup(target: ProcessGroupToStop): Promise<StopOutcome> {
  const pollMs = target.pollMs ?? 25;
  const leader = readProcStat(target.pid);
  if (leader !== undefined && isLiveState(leader.state) && leader.startTicks !== target.startTicks) {
    // The pid now belongs to another process, which may lead a group of the same id: it is not ours to signal.
    return 'none';
  }
  const isEmpty = (): boolean => findProcessGroupMembers(target.pid, target.startTicks).length === 0;
  if (isEmpty()) return 'none';

  let isGone = isEmpty;
  if (target.isLeaderSpared === true) {
    // Members one by one, so each that appears during the grace period gets its SIGTERM too: stopped right after its
    // start, the sandbox may not have started the app yet when the first members are signalled.
    const signalled = new Set<number>([target.pid]);
    isGone = () => {
      const members = findProcessGroupMembers(target.pid, target.startTicks);
      for (const member of members) {
        if (!signalled.has(member)) signalProcess(member, 'SIGTERM');
        signalled.add(member);
      }
      return members.length === 0;
    };
    isGone();
  } else {
    signalGroup(target.pid, 'SIGTERM');
  }
  if (await waitUntil(isGone, target.graceMs, pollMs)) return 'terminated';

  signalGroup(target.pid, 'SIGKILL');
  return (await waitUntil(isEmpty, target.killWaitMs ?? 5_000, pollMs)) ? 'killed' : 'stuck';
}

function signalGroup(processGroupId: number, signal: NodeJS.Signals): void {
  signalProcess(-processGroupId, signal);
}

/** A negative pid is a process group. */
function signalProcess(pid: number, signal: NodeJS.Signals): void {
  try {
    process.kill(pid, signal);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'ESRCH') throw error;
  }
}

async function waitUntil(condition: () => boolean, timeoutMs: number, pollMs: number): Promise<boolean> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    if (condition()) return true;
    if (Date.now() >= deadline) return false;
    await new Promise((resolve) => setTimeout(resolve, Math.min(pollMs, Math.max(1, deadline - Date.now()))));
  }
}
