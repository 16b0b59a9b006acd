/**
 * The approvals inbox: pending approval requests of the projects the user may read, each approved or rejected with
 * an optional comment. Live through the `approvals` topic (its events carry the pending list itself). Deciding is
 * offered to deployers and above on the app's project; the server still decides who is an eligible approver.
 */
import { useState } from 'react';
import { Link } from 'react-router';
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import type { AppView, ApprovalRequestView } from '@slipway/contract';
import { isRoleAtLeast } from '@slipway/contract/role-rank';
import { deliveryApi } from '../../api/delivery-api.js';
import { callJson } from '../../api/web-api.js';
import { ErrorNotice } from '../../components/error-notice.js';
import { RelativeTime } from '../../components/relative-time.js';
import { useLiveTopic } from '../../live/use-live.js';
import { useSession } from '../../session/session.js';

const approvalsKey = ['approvals'] as const;
const decisions = [
  { decision: 'approve', label: 'Approve' },
  { decision: 'reject', label: 'Reject' },
] as const;

export function ApprovalsPage() {
  const queryClient = useQueryClient();
  const approvals = useQuery({ queryKey: approvalsKey, queryFn: () => deliveryApi.approvals() });
  const apps = useQuery({
    queryKey: ['apps', 'all'],
    queryFn: () => callJson<{ apps: AppView[] }>('GET', '/api/v1/apps'),
    staleTime: 60_000,
  });
  useLiveTopic('approvals', (event) => {
    if (event.event !== 'approvals') return;
    const data = JSON.parse(event.data) as { pending?: ApprovalRequestView[] };
    if (data.pending !== undefined) queryClient.setQueryData(approvalsKey, { approvals: data.pending });
  });
  const session = useSession();
  const projectOf = new Map((apps.data?.apps ?? []).map((app) => [app.name, app.project]));
  const pending = (approvals.data?.approvals ?? []).filter((request) => request.state === 'pending');
  return (
    <section aria-labelledby="approvals-title">
      <div className="page-head">
        <h1 id="approvals-title">Approvals</h1>
        <span className="meta" data-testid="approvals-count">
          {pending.length} pending
        </span>
      </div>
      <ErrorNotice error={approvals.error} />
      {approvals.isSuccess && pending.length === 0 ? <p>No approval request is waiting.</p> : null}
      <ul className="approvals">
        {pending.map((request) => (
          <ApprovalCard
            key={request.id}
            request={request}
            canDecide={isRoleAtLeast(session.roleOn(projectOf.get(request.app)), 'deployer')}
          />
        ))}
      </ul>
    </section>
  );
}

function ApprovalCard({ request, canDecide }: { readonly request: ApprovalRequestView; readonly canDecide: boolean }) {
  const queryClient = useQueryClient();
  const [comment, setComment] = useState('');
  const decide = useMutation({
    mutationFn: (decision: 'approve' | 'reject') => deliveryApi.decide(request.id, decision, comment),
    onSettled: () => queryClient.invalidateQueries({ queryKey: approvalsKey }),
  });
  const titleId = `approval-${request.id}`;
  return (
    <li className="card approval" data-approval={request.id}>
      <h2 id={titleId}>
        <Link to={`/apps/${encodeURIComponent(request.app)}`}>{request.app}</Link> to {request.environment}
        {request.releaseNumber === null ? '' : `: v${request.releaseNumber}`}
      </h2>
      <p className="meta">
        {request.purpose === 'deployment' ? 'Deployment' : 'Rollout step'} {request.deploymentId}
        {request.requestedBy === null ? '' : `, asked by ${request.requestedBy}`}
        {request.ref === null ? '' : ` · ${request.ref}`}
        {request.commit === null ? '' : ` · ${request.commit.slice(0, 10)}`}
      </p>
      <p className="meta small">
        {request.approvals} of {request.requiredApprovals} approvals · asked <RelativeTime at={request.createdAt} /> ·
        expires <time dateTime={request.expiresAt}>{new Date(request.expiresAt).toLocaleString()}</time>
      </p>
      {request.decisions.length === 0 ? null : (
        <ul className="small">
          {request.decisions.map((d) => (
            <li key={`${d.actor}-${d.at}`}>
              {d.actor} {d.decision === 'approve' ? 'approved' : 'rejected'}
              {d.comment === null ? '' : `: ${d.comment}`}
            </li>
          ))}
        </ul>
      )}
      {canDecide ? (
        <div className="decide">
          <label className="decide-comment">
            Comment (optional)
            <textarea
              className="input"
              rows={2}
              maxLength={1000}
              value={comment}
              onChange={(event) => setComment(event.target.value)}
            />
          </label>
          <div className="actions">
            {decisions.map(({ decision, label }) => (
              <button
                key={decision}
                type="button"
                className={decision === 'approve' ? 'button button-primary' : 'button'}
                disabled={decide.isPending}
                onClick={() => decide.mutate(decision)}
              >
                {label}
              </button>
            ))}
          </div>
          <ErrorNotice error={decide.error} />
        </div>
      ) : null}
    </li>
  );
}
