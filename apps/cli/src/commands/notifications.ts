/**
 * `slipway notifications targets add|list|remove` (admins of the project) and `slipway notifications list`: where a
 * project's delivery events go, and every delivery with its attempts. A webhook's signing secret is read from stdin,
 * so it stays out of the shell history and the process list.
 */
import type { Command } from 'commander';
import {
  notificationEventKinds,
  type AddNotificationTargetBody,
  type NotificationDeliveryView,
  type NotificationEventKind,
} from '@slipway/contract';
import type { CliContext, CommandRun } from '../cli-context.js';
import { formatDurationMs, formatTimestamp } from '../output.js';
import { readSecretValue } from '../read-secret-value.js';

interface AddOptions {
  env?: string;
  webhook?: string;
  secretFromStdin?: boolean;
  slack?: string;
  email?: string;
  events?: string;
}

function eventsOf(run: CommandRun, list: string | undefined): NotificationEventKind[] | undefined {
  if (list === undefined) return undefined;
  const events = list
    .split(',')
    .map((e) => e.trim())
    .filter((e) => e !== '');
  const unknown = events.filter((e) => !(notificationEventKinds as readonly string[]).includes(e));
  if (events.length === 0 || unknown.length > 0) {
    run.usageError(
      `--events: unknown event ${unknown.join(', ') || '(none given)'}; one of ${notificationEventKinds.join(', ')}`,
    );
  }
  return events as NotificationEventKind[];
}

async function targetOf(run: CommandRun, options: AddOptions): Promise<AddNotificationTargetBody['target']> {
  const given = [options.webhook, options.slack, options.email].filter((v) => v !== undefined);
  if (given.length !== 1) run.usageError('give exactly one of --webhook URL, --slack URL or --email ADDRESS');
  if (options.webhook !== undefined) {
    if (options.secretFromStdin !== true) {
      run.usageError('a webhook is signed with a secret of yours: give it on stdin with --secret-from-stdin');
    }
    const secret = await readSecretValue('the webhook secret', run.io.stdin, run.io.stderr);
    return { kind: 'webhook', url: options.webhook, secret };
  }
  if (options.secretFromStdin === true) run.usageError('--secret-from-stdin goes with --webhook only');
  if (options.slack !== undefined) return { kind: 'slack', url: options.slack };
  return { kind: 'email', to: options.email ?? '' };
}

function printDelivery(run: CommandRun, delivery: NotificationDeliveryView): void {
  const state =
    delivery.state === 'delivered'
      ? run.out.style.green(delivery.state)
      : delivery.state === 'failed'
        ? run.out.style.red(delivery.state)
        : run.out.style.yellow(delivery.state);
  const next = delivery.nextAttemptAt === null ? '' : ` (next attempt ${formatTimestamp(delivery.nextAttemptAt)})`;
  run.out.line(
    `${delivery.id}  ${state}${next}  ${delivery.event}  ${[delivery.project, delivery.app, delivery.environment].filter((name) => name !== null).join('/')}  → ${delivery.targetKind} ${delivery.destination}`,
  );
  run.out.line(`  ${delivery.message}`);
  if (delivery.attempts.length === 0) run.out.line('  no attempt yet');
  for (const [index, attempt] of delivery.attempts.entries()) {
    run.out.line(
      `  attempt ${index + 1}  ${formatTimestamp(attempt.at)}  ${attempt.outcome}  ${formatDurationMs(attempt.durationMs)}  ${attempt.detail}`,
    );
  }
}

export function registerNotificationsCommand(program: Command, ctx: CliContext): void {
  const notifications = program
    .command('notifications')
    .description('where delivery events go (webhook, Slack, email), and every delivery with its attempts');

  notifications
    .command('list')
    .description('deliveries, newest first, each with every attempt (time, outcome, duration, answer)')
    .option('--project <project>', 'only this project’s')
    .option('--failed', 'only deliveries that gave up')
    .option('--limit <n>', 'at most this many (default 50, at most 500)')
    .action(async (options: { project?: string; failed?: boolean; limit?: string }, command: Command) => {
      const run = ctx.for(command);
      const limit = options.limit === undefined ? undefined : Number(options.limit);
      if (limit !== undefined && (!Number.isInteger(limit) || limit < 1 || limit > 500)) {
        run.usageError('--limit: a whole number from 1 to 500');
      }
      const answer = await run.client().notifications.listDeliveries({
        project: options.project,
        state: options.failed === true ? 'failed' : undefined,
        limit,
      });
      if (run.isJson) return run.out.json(answer);
      if (answer.deliveries.length === 0) return run.out.line('no notification deliveries');
      for (const delivery of answer.deliveries) printDelivery(run, delivery);
    });

  const targets = notifications.command('targets').description("a project's notification targets (admin)");

  targets
    .command('add <project>')
    .description('send the project’s delivery events (all, or --events) to a webhook, a Slack channel or an address')
    .option('--env <environment>', 'only this environment’s events (default: every environment of the project)')
    .option('--webhook <url>', 'POST signed JSON to URL (http or https); with --secret-from-stdin')
    .option('--secret-from-stdin', 'read the webhook’s signing secret (16 characters or more) from stdin')
    .option('--slack <url>', 'a Slack-compatible incoming-webhook URL (stored sealed: it is a credential)')
    .option('--email <address>', 'mail this address through slipwayd’s SMTP relay')
    .option('--events <kinds>', `comma-separated, of ${notificationEventKinds.join(', ')} (default: all)`)
    .action(async (project: string, options: AddOptions, command: Command) => {
      const run = ctx.for(command);
      const events = eventsOf(run, options.events);
      const target = await targetOf(run, options);
      const view = await run.client().notifications.addTarget({
        project,
        ...(options.env === undefined ? {} : { environment: options.env }),
        ...(events === undefined ? {} : { events }),
        target,
      });
      if (run.isJson) return run.out.json(view);
      run.out.line(
        `target ${view.id}: ${view.kind} ${view.destination} gets ${view.events.join(', ')} of ${view.project}${view.environment === null ? '' : ` in ${view.environment}`}`,
      );
    });

  targets
    .command('list [project]')
    .description('targets of the projects you administer (their secrets are never shown)')
    .action(async (project: string | undefined, _options: unknown, command: Command) => {
      const run = ctx.for(command);
      const answer = await run.client().notifications.listTargets(project);
      if (run.isJson) return run.out.json(answer);
      if (answer.targets.length === 0) return run.out.line('no notification targets');
      run.out.table(
        ['ID', 'PROJECT', 'ENVIRONMENT', 'KIND', 'DESTINATION', 'EVENTS'],
        answer.targets.map((t) => [
          t.id,
          t.project,
          t.environment ?? '(all)',
          t.kind,
          t.destination,
          t.events.join(','),
        ]),
      );
    });

  targets
    .command('remove <id>')
    .description('stop notifying a target; its pending deliveries fail, its history stays')
    .action(async (id: string, _options: unknown, command: Command) => {
      const run = ctx.for(command);
      await run.client().notifications.removeTarget(id);
      if (run.isJson) return run.out.json({ id, isRemoved: true });
      run.out.line(`target ${id} removed`);
    });
}
