/** `slipway ps <app>`: the instances of an app — process, release, state, runtime, usage, limits, port, pid, restarts. */
import type { Command } from 'commander';
import { countNoun, formatByteSize, type InstanceView } from '@slipway/contract';
import { environmentOption } from '../cli-context.js';
import type { CliContext } from '../cli-context.js';
import { formatTimestamp } from '../output.js';

export function registerPsCommand(program: Command, ctx: CliContext): void {
  program
    .command('ps')
    .description('list the instances of an app')
    .argument('<app>', 'app name')
    .addOption(environmentOption())
    .action(async (app: string, options: { environment?: string }, command: Command) => {
      const run = ctx.for(command);
      const answer = await run.client().instances.list(app, { environment: options.environment });
      if (run.isJson) return run.out.json(answer);
      if (answer.instances.length === 0) return run.out.line(`${app} has no instances`);
      run.out.table(
        ['INSTANCE', 'PROCESS', 'RELEASE', 'STATE', 'RUNTIME', 'USAGE', 'LIMITS', 'PORT', 'PID', 'RESTARTS', 'STARTED'],
        answer.instances.map((i) => [
          i.id,
          i.process,
          `v${i.releaseNumber}`,
          i.state === 'healthy' ? run.out.style.green(i.state) : i.crashLoop ? `${i.state} (CrashLoop)` : i.state,
          i.runtime ?? 'process',
          formatUsage(i.usage),
          formatLimits(i.limits),
          i.port === null ? '-' : String(i.port),
          i.pid === null ? '-' : String(i.pid),
          i.lastExitCode === null ? String(i.restarts) : `${i.restarts} (last exit ${exitOf(i)})`,
          i.startedAt === null ? '-' : formatTimestamp(i.startedAt),
        ]),
      );
      for (const i of answer.instances) {
        if (!i.crashLoop) continue;
        run.out.line('');
        run.out.line(
          `${i.id} is crash-looping: ${i.crashLoop.exits} exits, last exit code ${i.crashLoop.lastExitCode ?? 'unknown'}${i.lastExitReason === 'oom-killed' ? ', killed for going over its memory limit' : ''}`,
        );
        const { firstError } = i.crashLoop;
        if (firstError !== null && firstError !== undefined) run.out.line(`    ${firstError}\n    …`);
        for (const line of i.crashLoop.logTail.slice(-5)) run.out.line(`    ${line}`);
      }
    });
}

/** CPU in cores (`0.02 cores`, `1 core`), the unit limits are given in. */
export function formatCpus(cpus: number): string {
  return countNoun(Number(cpus.toFixed(2)), 'core');
}

/** `mem 41.2 MiB, cpu 0.02 cores`, or `-` when not measured. */
export function formatUsage(usage: InstanceView['usage']): string {
  return usage ? `mem ${formatByteSize(usage.memoryBytes)}, cpu ${formatCpus(usage.cpus)}` : '-';
}

/** `mem 256.0 MiB, cpu 0.5 cores, pids 100`, or `-` when the runtime enforces none. */
export function formatLimits(limits: InstanceView['limits']): string {
  if (!limits) return '-';
  const parts: string[] = [];
  if (limits.memoryBytes !== undefined) parts.push(`mem ${formatByteSize(limits.memoryBytes)}`);
  if (limits.cpus !== undefined) parts.push(`cpu ${formatCpus(limits.cpus)}`);
  if (limits.pids !== undefined) parts.push(`pids ${limits.pids}`);
  return parts.length === 0 ? '-' : parts.join(', ');
}

function exitOf(instance: InstanceView): string {
  return instance.lastExitReason === 'oom-killed'
    ? `${instance.lastExitCode ?? '?'}, OOM-killed`
    : String(instance.lastExitCode);
}
