/**
 * The deployments a push started, told back to the pusher as they happen: each phase, each build and deploy log line,
 * and how it ended, until every one has ended, is waiting for an approval (which a push does not wait for), the
 * follow deadline passes or the client goes away. The deployments themselves go on whatever happens to the push.
 */
import type { DeploymentEvent } from '@slipway/contract';
import { getDeploymentView, readDeploymentEvents, type CoreDeps } from '@slipway/core';

export interface FollowedDeployment {
  readonly id: string;
  /** How it stands when the following stopped. */
  readonly result: 'succeeded' | 'failed' | 'cancelled' | 'waiting-for-approval' | 'still-running';
  readonly reason?: string;
}

export interface FollowOptions {
  readonly say: (line: string) => Promise<void>;
  readonly signal: AbortSignal;
  /** How long to follow one deployment before the push ends and leaves it running. */
  readonly followTimeoutMs: number;
}

const indent = '       ';

export async function followDeployment(
  deps: CoreDeps,
  id: string,
  options: FollowOptions,
): Promise<FollowedDeployment> {
  const { say, signal } = options;
  const view = await getDeploymentView(deps, id);
  await say(`-----> ${view.app} (${view.environment}): deployment ${id}`);
  const deadline = AbortSignal.any([signal, AbortSignal.timeout(options.followTimeoutMs)]);
  let wake: (() => void) | undefined;
  const unsubscribe = deps.events.subscribe(id, () => wake?.());
  let after = 0;
  try {
    while (!deadline.aborted) {
      const events = await readDeploymentEvents(deps, id, after);
      for (const event of events) {
        after = event.seq;
        const ended = await tell(event, say);
        if (ended !== undefined) return { id, ...ended };
      }
      if (events.length > 0) continue;
      const current = await getDeploymentView(deps, id);
      if (current.state !== 'running' && current.state !== 'pending') {
        if ((await readDeploymentEvents(deps, id, after)).length > 0) continue;
        return { id, ...resultOf(current.state, current.failure?.reason) };
      }
      await new Promise<void>((resolve) => {
        const done = (): void => {
          clearTimeout(timer);
          deadline.removeEventListener('abort', done);
          wake = undefined;
          resolve();
        };
        // Woken by the deployment's events; the timer only catches what ends without one.
        const timer = setTimeout(done, 1_000);
        wake = done;
        deadline.addEventListener('abort', done, { once: true });
      });
    }
  } finally {
    unsubscribe();
  }
  await say(`${indent}still running: follow it with \`slipway deployments show ${id}\``);
  return { id, result: 'still-running' };
}

/** Says one event; what the deployment came to when the event ends the following. */
async function tell(
  event: DeploymentEvent,
  say: (line: string) => Promise<void>,
): Promise<Omit<FollowedDeployment, 'id'> | undefined> {
  switch (event.type) {
    case 'log':
      await say(`${indent}${event.line}`);
      // The approval wait says so in the log (delivery/approval-wait.ts) and in its phase's detail.
      return isApprovalWait(event.line) ? waitingForApproval(say) : undefined;
    case 'phase':
      if (event.state === 'running') {
        await say(`-----> ${event.phase}${event.detail === null ? '' : `: ${event.detail}`}`);
      }
      return event.detail !== null && isApprovalWait(event.detail) ? waitingForApproval(say) : undefined;
    case 'state':
      if (event.state === 'pending' || event.state === 'running') return undefined;
      return resultOf(event.state, event.failure?.reason);
  }
}

const isApprovalWait = (text: string): boolean => text.startsWith('waiting for approval ');

async function waitingForApproval(say: (line: string) => Promise<void>): Promise<Omit<FollowedDeployment, 'id'>> {
  await say(`${indent}the deployment waits for an approval: the push ends here (slipway approvals list)`);
  return { result: 'waiting-for-approval' };
}

function resultOf(state: string, reason: string | undefined): Omit<FollowedDeployment, 'id'> {
  if (state === 'succeeded') return { result: 'succeeded' };
  if (state === 'cancelled') return { result: 'cancelled', reason: 'the deployment was cancelled' };
  return { result: 'failed', reason: reason ?? `the deployment ended ${state}` };
}
