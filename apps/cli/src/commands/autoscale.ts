/**
 * `slipway autoscale status <app>`: each autoscaled process type's bounds, metrics and count, and the autoscaler's
 * recent decisions with what it measured and why it chose the count it chose.
 */
import type { Command } from 'commander';
import type { AutoscaleDecisionView, AutoscaleProcessView } from '@slipway/contract';
import { environmentOption, type CliContext } from '../cli-context.js';
import type { Output } from '../output.js';

function metricSetting(metric: AutoscaleProcessView['metrics'][number]): string {
  return metric.type === 'cpu' ? `cpu ${metric.targetPercent}%` : `${metric.type} ${metric.target}`;
}

function measured(decision: AutoscaleDecisionView): string {
  return decision.metrics
    .map((m) => `${m.metric} ${m.current === null ? '?' : String(Math.round(m.current * 100) / 100)}/${m.target}`)
    .join(', ');
}

const show = (value: number | null): string => (value === null ? '-' : String(value));

export function writeAutoscaleStatus(out: Output, processes: readonly AutoscaleProcessView[]): void {
  if (processes.length === 0) {
    out.line('no process type of the current release has an autoscale block');
    return;
  }
  for (const view of processes) {
    out.fields([
      ['process', view.process],
      ['instances', `${view.replicas} (min ${view.min}, max ${view.max})`],
      ['metrics', view.metrics.map(metricSetting).join(', ')],
      [
        'scale to zero',
        view.scaleToZero === undefined
          ? 'off'
          : `after ${view.scaleToZero.idleSeconds} s idle; requests held up to ${view.scaleToZero.holdTimeoutSeconds} s (at most ${view.scaleToZero.maxHeldRequests})`,
      ],
      ['state', view.isRolloutActive ? 'paused: a rollout is in progress' : 'active'],
    ]);
    out.table(
      ['AT', 'MEASURED (current/target)', 'RAW', 'STABILISED', 'POLICY', 'FINAL', 'WHY'],
      view.decisions.map((d) => [
        d.at.slice(11, 19),
        measured(d),
        show(d.rawDesired),
        show(d.stabilised),
        show(d.policyLimited),
        `${d.currentReplicas}→${d.final}`,
        d.reasoning,
      ]),
    );
    out.line();
  }
}

export function registerAutoscaleCommand(program: Command, ctx: CliContext): void {
  const autoscale = program.command('autoscale').description("show the autoscaler's state and decisions");
  autoscale
    .command('status')
    .description('show each autoscaled process type: bounds, metrics, count and recent decisions with their reasoning')
    .argument('<app>', 'app name')
    .option('--limit <n>', 'decisions shown per process type', '10')
    .addOption(environmentOption())
    .action(async (app: string, options: { environment?: string; limit: string }, command: Command) => {
      const run = ctx.for(command);
      const limit = Number(options.limit);
      if (!Number.isSafeInteger(limit) || limit < 1 || limit > 200)
        return run.usageError(`invalid --limit "${options.limit}": expected a whole number from 1 to 200`);
      const status = await run.client().autoscale.status(app, { environment: options.environment, limit });
      if (run.isJson) return run.out.json(status);
      writeAutoscaleStatus(run.out, status.processes);
    });
}
