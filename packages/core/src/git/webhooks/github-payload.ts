/**
 * GitHub's `push` and `pull_request` payloads as git events (docs.github.com, "Webhook events and payloads").
 * A pull request is a fork's when its head repository's id differs from its base repository's (or the head
 * repository is gone), never by who opened it.
 */
import type { PullRequestAction } from '../git-event.js';
import {
  commitOrNull,
  flag,
  has,
  pullRequestNumber,
  optionalId,
  optionalText,
  text,
  type Json,
} from './payload-reader.js';
import { eventsOf, ignored, type WebhookContext, type WebhookNormalization } from './webhook-normalization.js';

export function normalizeGithub(payload: Json, context: WebhookContext): WebhookNormalization {
  switch (context.eventName) {
    case 'push':
      return githubPush(payload, context);
    case 'pull_request':
      return githubPullRequest(payload, context);
    case 'ping':
      return ignored('ping: the webhook is set up');
    default:
      return ignored(`event ${context.eventName} is not one Slipway acts on`);
  }
}

function githubPush(payload: Json, context: WebhookContext): WebhookNormalization {
  const pusher = optionalText(payload, 'pusher', 'name');
  return eventsOf({
    kind: 'push',
    repositoryId: context.repositoryId,
    origin: 'github',
    deliveryKey: context.deliveryKey,
    ref: text(payload, 'ref'),
    before: flag(payload, 'created') ? null : commitOrNull(optionalText(payload, 'before')),
    after: flag(payload, 'deleted') ? null : commitOrNull(optionalText(payload, 'after')),
    isForced: flag(payload, 'forced'),
    ...(pusher === undefined ? {} : { pusher }),
  });
}

function githubAction(payload: Json): PullRequestAction | undefined {
  switch (text(payload, 'action')) {
    case 'opened':
    case 'reopened':
    case 'ready_for_review':
      return 'opened';
    case 'synchronize':
      return 'updated';
    case 'closed':
      return flag(payload, 'pull_request', 'merged') ? 'merged' : 'closed';
    default:
      return undefined;
  }
}

function githubPullRequest(payload: Json, context: WebhookContext): WebhookNormalization {
  return pullRequestOfGithubShape(payload, context, 'github', githubAction(payload));
}

/**
 * A pull request payload of GitHub's shape (GitHub's, and Gitea's and Forgejo's, which copy it) as a git event, given
 * the action the provider's own words map to: forks decided by repository id, never by author.
 */
export function pullRequestOfGithubShape(
  payload: Json,
  context: WebhookContext,
  origin: 'github' | 'gitea',
  action: PullRequestAction | undefined,
): WebhookNormalization {
  const number = pullRequestNumber(payload, 'number');
  if (action === undefined) {
    return ignored(`pull request #${number} ${text(payload, 'action')}: not a change of its commits or state`);
  }
  const baseRepositoryId = optionalId(payload, 'pull_request', 'base', 'repo', 'id');
  const headRepositoryId = optionalId(payload, 'pull_request', 'head', 'repo', 'id');
  const isFork = !has(payload, 'pull_request', 'head', 'repo') || headRepositoryId !== baseRepositoryId;
  const author = optionalText(payload, 'pull_request', 'user', 'login');
  return eventsOf({
    kind: 'pull-request',
    repositoryId: context.repositoryId,
    origin,
    deliveryKey: context.deliveryKey,
    action,
    number,
    title: text(payload, 'pull_request', 'title'),
    headSha: commitOrNull(text(payload, 'pull_request', 'head', 'sha')) ?? '',
    headRef: text(payload, 'pull_request', 'head', 'ref'),
    baseRef: text(payload, 'pull_request', 'base', 'ref'),
    isFork,
    headCloneUrl: isFork ? (optionalText(payload, 'pull_request', 'head', 'repo', 'clone_url') ?? null) : null,
    ...(author === undefined ? {} : { author }),
  });
}
