/**
 * Gitea's and Forgejo's push, delete and pull request payloads as git events (docs.gitea.com, "Webhooks"): the same
 * shapes as GitHub's for pull requests, `synchronized` for new commits, and a separate `delete` event whose `ref` is
 * a short name with `ref_type`.
 */
import type { PullRequestAction } from '../git-event.js';
import { commitOrNull, flag, fullRef, optionalText, text, type Json } from './payload-reader.js';
import { pullRequestOfGithubShape } from './github-payload.js';
import { eventsOf, ignored, type WebhookContext, type WebhookNormalization } from './webhook-normalization.js';

export function normalizeGitea(payload: Json, context: WebhookContext): WebhookNormalization {
  switch (context.eventName) {
    case 'push':
      return giteaPush(payload, context);
    case 'delete':
      return giteaDelete(payload, context);
    case 'pull_request':
      return giteaPullRequest(payload, context);
    default:
      return ignored(`event ${context.eventName} is not one Slipway acts on`);
  }
}

function pusherOf(payload: Json): { pusher?: string } {
  const pusher = optionalText(payload, 'pusher', 'login') ?? optionalText(payload, 'pusher', 'username');
  return pusher === undefined ? {} : { pusher };
}

function giteaPush(payload: Json, context: WebhookContext): WebhookNormalization {
  return eventsOf({
    kind: 'push',
    repositoryId: context.repositoryId,
    origin: 'gitea',
    deliveryKey: context.deliveryKey,
    ref: text(payload, 'ref'),
    before: commitOrNull(optionalText(payload, 'before')),
    after: commitOrNull(optionalText(payload, 'after')),
    // Gitea does not say whether a push was forced.
    isForced: false,
    ...pusherOf(payload),
  });
}

function giteaDelete(payload: Json, context: WebhookContext): WebhookNormalization {
  const refType = text(payload, 'ref_type');
  if (refType !== 'branch' && refType !== 'tag') return ignored(`deleted ${refType}: not a branch or tag`);
  return eventsOf({
    kind: 'push',
    repositoryId: context.repositoryId,
    origin: 'gitea',
    deliveryKey: context.deliveryKey,
    ref: fullRef(text(payload, 'ref'), refType),
    before: null,
    after: null,
    isForced: false,
    ...pusherOf(payload),
  });
}

function giteaAction(payload: Json): PullRequestAction | undefined {
  switch (text(payload, 'action')) {
    case 'opened':
    case 'reopened':
      return 'opened';
    case 'synchronized':
      return 'updated';
    case 'closed':
      return flag(payload, 'pull_request', 'merged') ? 'merged' : 'closed';
    default:
      return undefined;
  }
}

function giteaPullRequest(payload: Json, context: WebhookContext): WebhookNormalization {
  return pullRequestOfGithubShape(payload, context, 'gitea', giteaAction(payload));
}
