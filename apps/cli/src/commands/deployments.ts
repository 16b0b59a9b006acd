/**
 * `slipway deployments list|show|logs|cancel`: an app's deployments, one deployment's phases, its whole log (read
 * after the fact, a failed one's too), and stopping one. Every id `deploy --no-follow` prints is accepted by each.
 */
import type { Command } from 'commander';
import type { DeploymentView } from '@slipway/contract';
import { environmentOption } from '../cli-context.js';
import type { CliContext } from '../cli-context.js';
import { createDeploymentNarrator, followDeployment, isTerminal, reportOutcome } from '../follow-deployment.js';
import { formatTimestamp, type Output } from '../output.js';
import { formatSource } from './releases.js';

function formatState(out: Output, deployment: DeploymentView): string {
  const { style } = out;
  switch (deployment.state) {
    case 'succeeded':
      return style.green('succeeded');
    case 'failed':
      return style.red('failed');
    case 'cancelled':
      return style.red('cancelled');
    case 'pending':
    case 'running':
      return deployment.cancellation ? `${deployment.state} (cancelling)` : deployment.state;
  }
}

function formatOutcome(deployment: DeploymentView): string {
  if (deployment.failure) return `${deployment.failure.code} in ${deployment.failure.phase}`;
  if (deployment.cancellation) return `cancelled by ${deployment.cancellation.by}`;
  return '-';
}

export function registerDeploymentsCommand(program: Command, ctx: CliContext): void {
  const deployments = program.command('deployments').description('list, show, read the log of and cancel deployments');

  deployments
    .command('list')
    .description('list the deployments of an app, newest first')
    .argument('<app>', 'app name')
    .addOption(environmentOption())
    .option('--limit <n>', 'at most this many (1-500)', (value) => Number(value), 20)
    .action(async (app: string, options: { environment?: string; limit: number }, command: Command) => {
      const run = ctx.for(command);
      const answer = await run
        .client()
        .deployments.list(app, { environment: options.environment, limit: options.limit });
      if (run.isJson) return run.out.json(answer);
      if (answer.deployments.length === 0) return run.out.line(`no deployments of ${app} yet`);
      run.out.table(
        ['ID', 'KIND', 'STATE', 'PHASE', 'RELEASE', 'SOURCE', 'OUTCOME', 'CREATED'],
        answer.deployments.map((d) => [
          d.id,
          d.kind,
          formatState(run.out, d),
          d.phase ?? '-',
          d.releaseNumber === null ? '-' : `v${d.releaseNumber}`,
          formatSource(d.source),
          formatOutcome(d),
          formatTimestamp(d.createdAt),
        ]),
      );
    });

  deployments
    .command('show')
    .description('describe a deployment and its phases')
    .argument('<id>', 'deployment id')
    .action(async (id: string, _options: unknown, command: Command) => {
      const run = ctx.for(command);
      const deployment = await run.client().deployments.get(id);
      if (run.isJson) return run.out.json(deployment);
      const { out } = run;
      out.line(`deployment ${deployment.id} of ${deployment.app} (${deployment.environment}): ${deployment.kind}`);
      out.line(`state:   ${formatState(out, deployment)}${deployment.phase === null ? '' : ` in ${deployment.phase}`}`);
      out.line(`source:  ${formatSource(deployment.source)}`);
      if (deployment.releaseNumber !== null) out.line(`release: v${deployment.releaseNumber}`);
      if (deployment.failure)
        out.line(`failure: ${deployment.failure.code} in ${deployment.failure.phase}: ${deployment.failure.reason}`);
      if (deployment.cancellation)
        out.line(
          `cancel:  requested by ${deployment.cancellation.by} at ${formatTimestamp(deployment.cancellation.requestedAt)}`,
        );
      if (deployment.phases.length > 0)
        out.table(
          ['PHASE', 'STATE', 'STARTED', 'DETAIL'],
          deployment.phases.map((p) => [p.phase, p.state, formatTimestamp(p.startedAt), p.detail ?? '-']),
        );
    });

  deployments
    .command('logs')
    .description(
      "print a deployment's whole log — its phases and build output — and how it ended; a running one is followed to its end",
    )
    .argument('<id>', 'deployment id')
    .action(async (id: string, _options: unknown, command: Command) => {
      const run = ctx.for(command);
      const client = run.client();
      const deployment = await client.deployments.get(id);
      if (run.isJson) {
        // One event per line, as it is read: a long log is never held whole.
        for await (const event of client.deployments.events(id, { signal: run.io.signal })) run.out.jsonLine(event);
        return;
      }
      run.out.line(
        run.out.style.dim(
          `deployment ${deployment.id} of ${deployment.app} (${deployment.environment}), ${deployment.kind}, created ${formatTimestamp(deployment.createdAt)}`,
        ),
      );
      const final = await followDeployment(run, id, createDeploymentNarrator(run.out));
      if (final === undefined) {
        run.err.line(`stopped reading; deployment ${id} goes on in slipwayd`);
        return run.fail(130);
      }
      reportOutcome(run.out, final);
      if (!isTerminal(final)) run.fail();
    });

  deployments
    .command('cancel')
    .description('cancel a pending or running deployment; what it started is undone and the live release keeps serving')
    .argument('<id>', 'deployment id')
    .action(async (id: string, _options: unknown, command: Command) => {
      const run = ctx.for(command);
      const deployment = await run.client().deployments.cancel(id);
      if (run.isJson) return run.out.json(deployment);
      if (deployment.state === 'cancelled') return run.out.line(`deployment ${deployment.id} is cancelled`);
      run.out.line(
        `deployment ${deployment.id} is cancelling; it stops at once and ends cancelled (slipway deployments show ${deployment.id})`,
      );
    });
}
