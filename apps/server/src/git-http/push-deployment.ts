/**
 * What a push to `/git/<app>.git` deploys: each ref it updated becomes a `GitPushEvent` (origin `hosted`) handed to
 * `handleGitEvent`, so the app's deployment rules decide (and, for an app without rules, a push to `main` or
 * `master` deploys production); the deployments that started are followed and told back to the pusher.
 */
import { execFile } from 'node:child_process';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { handleGitEvent, type AppRecord, type CoreDeps, type GitPushEvent } from '@slipway/core';
import type { HostedRepositories, HostedRepository } from './hosted-repositories.js';
import { followDeployment } from './push-progress.js';
import type { PushCommands } from './receive-pack-commands.js';

const run = promisify(execFile);

/** The repository record (provider `hosted`) of an app's hosted repository, which events name. */
export interface HostedRepositoryIds {
  /** Idempotent: records the app's hosted repository when it is not recorded yet; its id. */
  ensure(app: AppRecord): Promise<string>;
}

export interface PushedRefs {
  readonly app: AppRecord;
  readonly repository: HostedRepository;
  readonly repositories: HostedRepositories;
  readonly repositoryId: string;
  readonly commands: PushCommands;
  readonly pusher: string;
  /** Unique per push: the events' delivery keys are made of it. */
  readonly pushId: string;
  readonly say: (line: string) => Promise<void>;
  readonly signal: AbortSignal;
  readonly followTimeoutMs: number;
}

/** Deploys what the push changed and follows it; the reason the push fails, or undefined when it succeeds. */
export async function deployPushedRefs(deps: CoreDeps, pushed: PushedRefs): Promise<string | undefined> {
  const { say } = pushed;
  const failures: string[] = [];
  for (const update of pushed.commands.updates) {
    const event = await eventOf(pushed, update);
    if (event === undefined) continue;
    const outcome = await handleGitEvent(deps, event);
    await say(`-----> ${outcome.reason}`);
    if (outcome.outcome === 'failed') failures.push(`${update.ref}: ${outcome.reason}`);
    for (const id of outcome.deploymentIds ?? []) {
      const followed = await followDeployment(deps, id, {
        say,
        signal: pushed.signal,
        followTimeoutMs: pushed.followTimeoutMs,
      });
      if (followed.result === 'succeeded') await say(`-----> deployment ${id} succeeded`);
      if (followed.result === 'failed' || followed.result === 'cancelled') {
        failures.push(`deployment ${id} ${followed.result}: ${followed.reason ?? ''}`.trim());
      }
    }
  }
  return failures.length === 0 ? undefined : failures.join('; ');
}

/** The event of one ref update, when the push did apply it (a rejected update deploys nothing). */
async function eventOf(pushed: PushedRefs, update: PushCommands['updates'][number]): Promise<GitPushEvent | undefined> {
  const { repository, repositories } = pushed;
  const current = await repositories.readRef(repository, update.ref);
  if (update.after === null ? current !== undefined : current?.object !== update.after) return undefined;
  const after = update.after === null ? null : (current?.commit ?? null);
  return {
    kind: 'push',
    repositoryId: pushed.repositoryId,
    origin: 'hosted',
    deliveryKey: `hosted:${pushed.pushId}:${update.ref}`,
    ref: update.ref,
    before: update.before,
    after,
    isForced: await isForced(repository, update.before, after),
    pusher: pushed.pusher,
  };
}

/** Whether the update rewrote history: the old commit is not an ancestor of the new one. */
async function isForced(repository: HostedRepository, before: string | null, after: string | null): Promise<boolean> {
  if (before === null || after === null) return false;
  try {
    await run(
      'git',
      [`--git-dir=${join(repository.root, repository.name)}`, 'merge-base', '--is-ancestor', before, after],
      {
        timeout: 30_000,
      },
    );
    return false;
  } catch {
    return true;
  }
}
