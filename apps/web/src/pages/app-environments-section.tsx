/** The app's environments: release, instances, strategy override and approval policy (read-only). */
import { useQuery } from '@tanstack/react-query';
import type { EnvironmentView } from '@slipway/contract';
import { settingsApi } from '../api/app-settings-api.js';
import { DataTable } from '../components/data-table.js';
import { ErrorNotice } from '../components/error-notice.js';

function ApprovalPolicy({ app, environment }: { readonly app: string; readonly environment: EnvironmentView }) {
  const policy = useQuery({
    queryKey: ['app', app, 'environments', environment.name, 'approval-policy'],
    queryFn: () => settingsApi.approvalPolicy(app, environment.name),
    enabled: environment.hasApprovalPolicy,
  });
  if (!environment.hasApprovalPolicy) return <>none</>;
  if (policy.error !== null) return <ErrorNotice error={policy.error} />;
  const p = policy.data;
  if (p === undefined) return <>required</>;
  const approvers = p.approvers.map((a) => `${a.kind} ${a.id}`).join(', ');
  return (
    <>
      {p.requiredApprovals} approval{p.requiredApprovals === 1 ? '' : 's'}
      {approvers === '' ? ' (any deployer)' : ` from ${approvers}`}
      {p.preventSelfApproval ? ', not by who asked' : ''}
      {p.waitTimerSeconds > 0 ? `, wait ${p.waitTimerSeconds} s` : ''}
      {p.refPatterns.length > 0 ? `, refs ${p.refPatterns.join(', ')}` : ''}
    </>
  );
}

export function EnvironmentsSection({ app }: { readonly app: string }) {
  const environments = useQuery({
    queryKey: ['app', app, 'environments'],
    queryFn: () => settingsApi.environments(app),
  });
  return (
    <>
      <ErrorNotice error={environments.error} />
      <DataTable
        caption="Environments"
        columns={[
          { header: 'Environment', cell: (e: EnvironmentView) => e.name },
          { header: 'Host', cell: (e) => <code>{e.defaultHost}</code> },
          { header: 'Release', cell: (e) => (e.currentRelease === null ? '—' : `v${e.currentRelease}`) },
          { header: 'Instances', cell: (e) => e.instances },
          { header: 'Strategy', cell: (e) => (e.strategy === null ? 'from the manifest' : e.strategy.type) },
          { header: 'Approval policy', cell: (e) => <ApprovalPolicy app={app} environment={e} /> },
        ]}
        rows={environments.data?.environments ?? []}
        rowKey={(e) => e.name}
        empty="No environment yet."
      />
      <p className="hint">Environments and their policies are changed with the CLI (slipway env) by an admin.</p>
    </>
  );
}
