/**
 * `slipway alerts list` (current and recent alerts with their state, since when and value) and `slipway alerts
 * rules add|list|remove` (admins of the project add and remove; a built-in rule removed is turned off).
 */
import type { Command } from 'commander';
import {
  alertRuleKinds,
  alertStates,
  type AddAlertRuleBody,
  type AlertRuleKind,
  type AlertRuleView,
  type AlertState,
  type AlertView,
} from '@slipway/contract';
import type { CliContext, CommandRun } from '../cli-context.js';
import { formatTimestamp } from '../output.js';

interface AddOptions {
  app?: string;
  env?: string;
  kind?: string;
  threshold?: string;
  for?: string;
  minRequests?: string;
}

/** `30s`, `5m`, `1h`, or plain seconds. */
function secondsOf(run: CommandRun, given: string): number {
  const match = /^(\d+)(s|m|h)?$/u.exec(given.trim());
  if (!match) run.usageError(`--for: a duration such as 30s, 5m or 1h (got ${given})`);
  const amount = Number(match?.[1]);
  const unit = match?.[2] ?? 's';
  return amount * (unit === 'h' ? 3600 : unit === 'm' ? 60 : 1);
}

/** `5%` is 0.05 (a share); any other number is taken as given (ms for latency, days for certificates). */
function thresholdOf(run: CommandRun, given: string): number {
  const isPercent = given.trim().endsWith('%');
  const value = Number(isPercent ? given.trim().slice(0, -1) : given);
  if (!Number.isFinite(value)) run.usageError(`--threshold: a number, or a percentage such as 5% (got ${given})`);
  return isPercent ? value / 100 : value;
}

const formatValue = (kind: AlertRuleKind, value: number | null): string => {
  if (value === null) return '-';
  switch (kind) {
    case 'error-rate':
    case 'disk-usage':
      return `${Number((value * 100).toFixed(2))}%`;
    case 'latency-p95':
    case 'latency-p99':
      return `${Math.round(value)}ms`;
    case 'certificate-expiry':
      return `${Number(value.toFixed(1))}d`;
    case 'crash-loop':
    case 'deployment-failed':
      return String(value);
  }
};

const forOf = (seconds: number): string =>
  seconds % 3600 === 0 && seconds > 0
    ? `${seconds / 3600}h`
    : seconds % 60 === 0 && seconds > 0
      ? `${seconds / 60}m`
      : `${seconds}s`;

function styledState(run: CommandRun, alert: AlertView): string {
  switch (alert.state) {
    case 'firing':
      return run.out.style.red(alert.state);
    case 'pending':
      return run.out.style.yellow(alert.state);
    case 'resolved':
      return run.out.style.green(alert.state);
  }
}

function sinceOf(alert: AlertView): string {
  const at = alert.state === 'resolved' ? alert.resolvedAt : alert.state === 'firing' ? alert.firedAt : alert.activeAt;
  return formatTimestamp(at);
}

function ruleRow(rule: AlertRuleView): string[] {
  return [
    rule.id,
    rule.project,
    rule.app ?? '(all)',
    rule.environment ?? '(all)',
    rule.kind,
    rule.threshold === null ? '-' : formatValue(rule.kind, rule.threshold),
    forOf(rule.forSeconds),
    rule.isDefault ? 'built-in' : 'added',
    rule.isEnabled ? 'on' : 'off',
  ];
}

export function registerAlertsCommand(program: Command, ctx: CliContext): void {
  const alerts = program
    .command('alerts')
    .description('alerts on crash loops, failed deployments, error rate, latency, disk and certificates');

  alerts
    .command('list')
    .description('pending and firing alerts, then the recently resolved, with their state, since when and value')
    .option('--project <project>', 'only this project’s')
    .option('--state <state>', `only alerts in this state (${alertStates.join(', ')})`)
    .option('--limit <n>', 'at most this many (default 100, at most 500)')
    .action(async (options: { project?: string; state?: string; limit?: string }, command: Command) => {
      const run = ctx.for(command);
      const limit = options.limit === undefined ? undefined : Number(options.limit);
      if (limit !== undefined && (!Number.isInteger(limit) || limit < 1 || limit > 500)) {
        run.usageError('--limit: a whole number from 1 to 500');
      }
      if (options.state !== undefined && !(alertStates as readonly string[]).includes(options.state)) {
        run.usageError(`--state: one of ${alertStates.join(', ')}`);
      }
      const answer = await run.client().alerts.list({
        project: options.project,
        state: options.state as AlertState | undefined,
        limit,
      });
      if (run.isJson) return run.out.json(answer);
      if (answer.alerts.length === 0) return run.out.line('no alerts');
      run.out.table(
        ['ID', 'STATE', 'SINCE', 'PROJECT', 'KIND', 'SUBJECT', 'VALUE', 'MESSAGE'],
        answer.alerts.map((a) => [
          a.id,
          styledState(run, a),
          sinceOf(a),
          a.project,
          a.kind,
          a.subject,
          formatValue(a.kind, a.value),
          a.message,
        ]),
      );
    });

  const rules = alerts.command('rules').description("a project's alert rules, its built-in ones included");

  rules
    .command('add <project>')
    .description('alert on a condition of the project’s apps (all, or --app) or of the project as a whole')
    .requiredOption('--kind <kind>', `one of ${alertRuleKinds.join(', ')}`)
    .option('--app <app>', 'only this app (default: every app of the project)')
    .option('--env <environment>', 'only this environment (default: every environment)')
    .option('--threshold <value>', 'a share as 5% or 0.05, milliseconds for latency, days for certificates')
    .option('--for <duration>', 'how long the condition must hold before it fires: 30s, 5m, 1h (default: the kind’s)')
    .option('--min-requests <n>', 'edge kinds: fewer requests in an evaluation is no data (default 20)')
    .action(async (project: string, options: AddOptions, command: Command) => {
      const run = ctx.for(command);
      if (!(alertRuleKinds as readonly string[]).includes(options.kind ?? '')) {
        run.usageError(`--kind: one of ${alertRuleKinds.join(', ')}`);
      }
      const minRequests = options.minRequests === undefined ? undefined : Number(options.minRequests);
      if (minRequests !== undefined && (!Number.isInteger(minRequests) || minRequests < 1)) {
        run.usageError('--min-requests: a whole number of 1 or more');
      }
      const body: AddAlertRuleBody = {
        project,
        kind: options.kind as AlertRuleKind,
        ...(options.app === undefined ? {} : { app: options.app }),
        ...(options.env === undefined ? {} : { environment: options.env }),
        ...(options.threshold === undefined ? {} : { threshold: thresholdOf(run, options.threshold) }),
        ...(options.for === undefined ? {} : { forSeconds: secondsOf(run, options.for) }),
        ...(minRequests === undefined ? {} : { minRequests }),
      };
      const rule = await run.client().alerts.addRule(body);
      if (run.isJson) return run.out.json(rule);
      run.out.line(
        `rule ${rule.id}: ${rule.kind}${rule.threshold === null ? '' : ` above ${formatValue(rule.kind, rule.threshold)}`} for ${forOf(rule.forSeconds)} on ${rule.app ?? 'every app'} of ${rule.project}${rule.environment === null ? '' : ` in ${rule.environment}`}`,
      );
    });

  rules
    .command('list [project]')
    .description('rules of the projects you may read, built-in ones included (off when turned off)')
    .action(async (project: string | undefined, _options: unknown, command: Command) => {
      const run = ctx.for(command);
      const answer = await run.client().alerts.listRules(project);
      if (run.isJson) return run.out.json(answer);
      if (answer.rules.length === 0) return run.out.line('no alert rules');
      run.out.table(
        ['ID', 'PROJECT', 'APP', 'ENVIRONMENT', 'KIND', 'THRESHOLD', 'FOR', 'SOURCE', 'STATE'],
        answer.rules.map(ruleRow),
      );
    });

  rules
    .command('remove <id>')
    .description('remove a rule, or turn a built-in one off; its firing alerts resolve')
    .action(async (id: string, _options: unknown, command: Command) => {
      const run = ctx.for(command);
      await run.client().alerts.removeRule(id);
      if (run.isJson) return run.out.json({ id, isRemoved: true });
      run.out.line(`rule ${id} removed`);
    });
}
