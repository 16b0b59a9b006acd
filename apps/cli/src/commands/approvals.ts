/** `slipway approvals list|approve|reject`: the approval requests deployments (and canary steps) wait on. */
import type { Command } from 'commander';
import type { ApprovalRequestView } from '@slipway/contract';
import type { CliContext } from '../cli-context.js';
import { formatTimestamp } from '../output.js';

function describeRequest(request: ApprovalRequestView): string {
  const release = request.releaseNumber === null ? '' : ` release v${request.releaseNumber}`;
  const reason = request.reason === null ? '' : ` (${request.reason})`;
  return `approval ${request.id} of ${request.app} (${request.environment})${release}: ${request.state}${reason}, ${request.approvals} of ${request.requiredApprovals} approval(s)`;
}

export function registerApprovalsCommand(program: Command, ctx: CliContext): void {
  const approvals = program.command('approvals').description('list, approve and reject approval requests');

  approvals
    .command('list')
    .description('list pending approval requests of the projects you can see')
    .option('--app <app>', 'only this app')
    .option('--env <env>', 'only this environment')
    .option('--all', 'every request, not only pending ones')
    .action(async (options: { app?: string; env?: string; all?: boolean }, command: Command) => {
      const run = ctx.for(command);
      const answer = await run.client().approvals.list({
        ...(options.app === undefined ? {} : { app: options.app }),
        ...(options.env === undefined ? {} : { environment: options.env }),
        all: options.all === true,
      });
      if (run.isJson) return run.out.json(answer);
      if (answer.approvals.length === 0)
        return run.out.line(options.all === true ? 'no approval requests' : 'no pending approval requests');
      run.out.table(
        ['ID', 'APP', 'ENV', 'RELEASE', 'REF', 'BY', 'STATE', 'APPROVALS', 'EXPIRES'],
        answer.approvals.map((a) => [
          a.id,
          a.app,
          a.environment,
          a.releaseNumber === null ? '-' : `v${a.releaseNumber}`,
          a.ref ?? '-',
          a.requestedBy ?? '-',
          a.state,
          `${a.approvals}/${a.requiredApprovals}`,
          formatTimestamp(a.expiresAt),
        ]),
      );
    });

  for (const decision of ['approve', 'reject'] as const) {
    approvals
      .command(decision)
      .description(
        decision === 'approve'
          ? 'approve a pending request (not your own deployment when the policy prevents self-approval)'
          : 'reject a pending request: one reject rejects it and its deployment fails',
      )
      .argument('<id>', 'approval request id (apr_…)')
      .option('--comment <text>', 'why; kept with the decision in the audit log')
      .action(async (id: string, options: { comment?: string }, command: Command) => {
        const run = ctx.for(command);
        const client = run.client();
        const view =
          decision === 'approve'
            ? await client.approvals.approve(id, options.comment)
            : await client.approvals.reject(id, options.comment);
        if (run.isJson) return run.out.json(view);
        run.out.line(describeRequest(view));
      });
  }
}
