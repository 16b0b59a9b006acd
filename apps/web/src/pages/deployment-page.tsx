/**
 * One deployment: its phases as they progress, its state and why it failed, cancel (for a deployer) and its log, all
 * live from the `deployment:<id>` topic (the journal, from its first event: phases, log lines, state).
 */
import { useState } from 'react';
import * as Dialog from '@radix-ui/react-dialog';
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { Link, useParams } from 'react-router';
import type { DeploymentEvent, DeploymentPhase, DeploymentView, PhaseRecordView } from '@slipway/contract';
import { api } from '../api/app-api.js';
import { deploymentApi } from '../api/deployment-api.js';
import { ErrorNotice } from '../components/error-notice.js';
import { useLogBuffer } from '../components/log-buffer.js';
import { LogViewer } from '../components/log-viewer.js';
import { RelativeTime } from '../components/relative-time.js';
import { StatusBadge } from '../components/status-badge.js';
import { useLiveTopic } from '../live/use-live.js';
import { useCan } from '../session/session.js';

// The order a deployment goes through (the contract's `deploymentPhases`; a type-only import keeps zod out).
const phaseOrder: readonly DeploymentPhase[] = ['fetch', 'build', 'release', 'rollout', 'finalize'];

interface PhaseSeen {
  readonly state: PhaseRecordView['state'];
  readonly detail: string | null;
}

interface Journal {
  readonly phases: ReadonlyMap<DeploymentPhase, PhaseSeen>;
  readonly final: Extract<DeploymentEvent, { type: 'state' }> | undefined;
  readonly lastSeq: number;
}

const emptyJournal: Journal = { phases: new Map(), final: undefined, lastSeq: 0 };

export function DeploymentPage() {
  const { id = '' } = useParams();
  const queryClient = useQueryClient();
  const view = useQuery({ queryKey: ['deployment', id], queryFn: () => deploymentApi.deployment(id) });
  const appName = view.data?.app;
  const app = useQuery({
    queryKey: ['app', appName],
    queryFn: () => api.app(appName ?? ''),
    enabled: appName !== undefined,
  });
  const canDeploy = useCan('deployer', app.data?.project);
  const log = useLogBuffer();
  const [journal, setJournal] = useState<Journal>(emptyJournal);
  const [gone, setGone] = useState<string | undefined>(undefined);

  useLiveTopic(id === '' ? undefined : `deployment:${id}`, (event) => {
    if (event.event === 'gone') {
      setGone((JSON.parse(event.data) as { message?: string }).message ?? 'the deployment was deleted');
      return;
    }
    if (event.event !== 'deployment') return;
    const item = (JSON.parse(event.data) as { event: DeploymentEvent }).event;
    if (item.type === 'log') {
      log.push({ id: item.seq, time: item.at, text: item.line });
      return;
    }
    setJournal((current) => nextJournal(current, item));
    void queryClient.invalidateQueries({ queryKey: ['deployment', id] });
  });

  const deployment = view.data;
  const state = journal.final?.state ?? deployment?.state;
  const failure = journal.final === undefined ? deployment?.failure : journal.final.failure;
  const isActive = state === 'pending' || state === 'running';
  return (
    <section aria-labelledby="deployment-title">
      <div className="page-head">
        <h1 id="deployment-title">
          Deployment <code>{id}</code>
        </h1>
        {state === undefined ? null : (
          <span data-testid="deployment-state">
            <StatusBadge state={state} kind="progress" />
          </span>
        )}
        {canDeploy && isActive ? <CancelButton id={id} /> : null}
      </div>
      <ErrorNotice error={view.error} />
      {gone === undefined ? null : <div className="notice">This deployment is gone: {gone}</div>}
      {deployment === undefined ? null : <Summary deployment={deployment} />}
      {failure === null || failure === undefined ? null : (
        <div role="alert" className="notice notice-bad" data-testid="deployment-failure">
          <strong>{failure.code}</strong> in {failure.phase}: {failure.reason}
        </div>
      )}
      {journal.final?.cancelledBy === undefined ? null : (
        <p className="meta">Cancelled by {journal.final.cancelledBy}.</p>
      )}
      <h2 className="section-title">Phases</h2>
      <ol className="phase-list">
        {phaseOrder.map((phase) => {
          const seen = journal.phases.get(phase) ?? recordOf(deployment, phase);
          return (
            <li key={phase} data-phase={phase}>
              <span className="phase-name">{phase}</span>
              <StatusBadge state={seen?.state ?? 'pending'} kind="progress" />
              {seen?.detail === null || seen?.detail === undefined ? null : (
                <span className="meta small phase-detail">{seen.detail}</span>
              )}
            </li>
          );
        })}
      </ol>
      <h2 className="section-title">Log</h2>
      <LogViewer log={log} label="Deployment log" fileName={`${id}.log`} empty="No log line yet." />
    </section>
  );
}

function nextJournal(current: Journal, item: Exclude<DeploymentEvent, { type: 'log' }>): Journal {
  if (item.seq <= current.lastSeq) return current;
  if (item.type === 'state') {
    const isFinal = item.state === 'succeeded' || item.state === 'failed' || item.state === 'cancelled';
    return { ...current, lastSeq: item.seq, final: isFinal ? item : current.final };
  }
  const phases = new Map(current.phases);
  phases.set(item.phase, { state: item.state, detail: item.detail });
  return { ...current, phases, lastSeq: item.seq };
}

function recordOf(deployment: DeploymentView | undefined, phase: DeploymentPhase): PhaseSeen | undefined {
  return deployment?.phases.find((p) => p.phase === phase);
}

function Summary({ deployment }: { readonly deployment: DeploymentView }) {
  const releases = `${deployment.previousReleaseNumber === null ? '' : `v${deployment.previousReleaseNumber} → `}${
    deployment.releaseNumber === null ? 'no release yet' : `v${deployment.releaseNumber}`
  }`;
  return (
    <p className="meta">
      A {deployment.kind} of <Link to={`/apps/${encodeURIComponent(deployment.app)}`}>{deployment.app}</Link> (
      {deployment.environment}) · {releases} · started <RelativeTime at={deployment.createdAt} />
      {deployment.finishedAt === null ? null : (
        <>
          {' '}
          · finished <RelativeTime at={deployment.finishedAt} />
        </>
      )}
    </p>
  );
}

function CancelButton({ id }: { readonly id: string }) {
  const [isOpen, setIsOpen] = useState(false);
  const queryClient = useQueryClient();
  const cancel = useMutation({
    mutationFn: () => deploymentApi.cancel(id),
    onSuccess: (answer) => {
      setIsOpen(false);
      queryClient.setQueryData(['deployment', id], answer);
    },
  });
  return (
    <Dialog.Root open={isOpen} onOpenChange={setIsOpen}>
      <Dialog.Trigger className="button">Cancel deployment</Dialog.Trigger>
      <Dialog.Portal>
        <Dialog.Overlay className="dialog-overlay" />
        <Dialog.Content className="dialog">
          <Dialog.Title>Cancel this deployment?</Dialog.Title>
          <Dialog.Description>It stops where it is; the release serving now keeps serving.</Dialog.Description>
          <ErrorNotice error={cancel.error} />
          <div className="dialog-actions">
            <Dialog.Close className="button">Keep it going</Dialog.Close>
            <button
              type="button"
              className="button button-primary"
              disabled={cancel.isPending}
              onClick={() => cancel.mutate()}
            >
              Cancel deployment
            </button>
          </div>
        </Dialog.Content>
      </Dialog.Portal>
    </Dialog.Root>
  );
}
