/** What the process driver keeps of a sandboxed instance (its user and scratch dir), and how it cleans up after one. */
import type { InstanceSpec } from '@slipway/core';
import type { ProcessSandbox, SandboxedCommand } from '../sandbox/process-sandbox.js';
import { findProcessGroupMembers } from './read-proc-stat.js';

export interface InstanceSandbox {
  sandbox: ProcessSandbox;
  identity: { uid: number; gid: number };
  scratchDir: string;
}

/** Instances of a spec without a project (a driver used on its own) share one user. */
const defaultSandboxScope = 'default';

/** The project's user, given the release (read-only to it) and a fresh scratch dir. */
export async function prepareInstanceSandbox(
  sandbox: ProcessSandbox,
  spec: InstanceSpec,
  scratchDir: string,
): Promise<InstanceSandbox> {
  // The project is the unit of isolation: Slipway passes it as the network scope.
  const identity = await sandbox.identityOf(spec.networkScope ?? defaultSandboxScope);
  await sandbox.ensureOwned(spec.workDir, identity);
  await sandbox.prepareScratch(scratchDir, identity);
  return { sandbox, identity, scratchDir };
}

/** An instance's view: its release read-only, its scratch dir. */
export function sandboxedRun(context: InstanceSandbox, workDir: string): Omit<SandboxedCommand, 'command'> {
  return { identity: context.identity, workDir, isWorkDirWritable: false, scratchDir: context.scratchDir };
}

/**
 * A sandbox's bwrap killed on its own (`kill -9 <pid>`) leaves the app running, reparented, with the port: the
 * instance is its group, so what is left of the group goes too (members started after the leader only, never a
 * later group that reuses the id).
 */
export function killSandboxRemains(pid: number, startTicks: number): void {
  for (const member of findProcessGroupMembers(pid, startTicks)) {
    try {
      process.kill(member, 'SIGKILL');
    } catch {
      // Already gone.
    }
  }
}
