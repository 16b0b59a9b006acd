/**
 * GitLab's push, tag push and merge request payloads as git events (docs.gitlab.com, "Webhook events"). A merge
 * request `update` is an update only when it carries `oldrev` (new commits); a draft marked ready counts as opened.
 * A fork's merge request has a source project id other than its target's.
 */
import type { PullRequestAction } from '../git-event.js';
import { commitOrNull, has, pullRequestNumber, optionalId, optionalText, text, type Json } from './payload-reader.js';
import { eventsOf, ignored, type WebhookContext, type WebhookNormalization } from './webhook-normalization.js';

export function normalizeGitlab(payload: Json, context: WebhookContext): WebhookNormalization {
  const kind = optionalText(payload, 'object_kind') ?? context.eventName;
  switch (kind) {
    case 'push':
    case 'tag_push':
      return gitlabPush(payload, context);
    case 'merge_request':
      return gitlabMergeRequest(payload, context);
    default:
      return ignored(`event ${context.eventName} is not one Slipway acts on`);
  }
}

function gitlabPush(payload: Json, context: WebhookContext): WebhookNormalization {
  const pusher = optionalText(payload, 'user_username') ?? optionalText(payload, 'user_name');
  return eventsOf({
    kind: 'push',
    repositoryId: context.repositoryId,
    origin: 'gitlab',
    deliveryKey: context.deliveryKey,
    ref: text(payload, 'ref'),
    before: commitOrNull(optionalText(payload, 'before')),
    after: commitOrNull(optionalText(payload, 'after')),
    // GitLab does not say whether a push was forced.
    isForced: false,
    ...(pusher === undefined ? {} : { pusher }),
  });
}

/** The merge request was a draft before this update and is not one after it. */
function isMarkedReady(payload: Json): boolean {
  const change = (payload as { changes?: { draft?: { previous?: unknown; current?: unknown } } }).changes?.draft;
  return change?.previous === true && change.current === false;
}

function gitlabAction(payload: Json): PullRequestAction | undefined {
  switch (optionalText(payload, 'object_attributes', 'action') ?? '') {
    case 'open':
    case 'reopen':
      return 'opened';
    case 'update':
      if (has(payload, 'object_attributes', 'oldrev')) return 'updated';
      return isMarkedReady(payload) ? 'opened' : undefined;
    case 'close':
      return 'closed';
    case 'merge':
      return 'merged';
    default:
      return undefined;
  }
}

function gitlabMergeRequest(payload: Json, context: WebhookContext): WebhookNormalization {
  const number = pullRequestNumber(payload, 'object_attributes', 'iid');
  const action = gitlabAction(payload);
  if (action === undefined) {
    const named = optionalText(payload, 'object_attributes', 'action') ?? 'changed';
    return ignored(`merge request !${number} ${named}: not a change of its commits or state`);
  }
  const sourceProject = optionalId(payload, 'object_attributes', 'source_project_id');
  const targetProject = optionalId(payload, 'object_attributes', 'target_project_id');
  const isFork = sourceProject !== targetProject;
  const author = optionalText(payload, 'user', 'username');
  return eventsOf({
    kind: 'pull-request',
    repositoryId: context.repositoryId,
    origin: 'gitlab',
    deliveryKey: context.deliveryKey,
    action,
    number,
    title: text(payload, 'object_attributes', 'title'),
    headSha: commitOrNull(text(payload, 'object_attributes', 'last_commit', 'id')) ?? '',
    headRef: text(payload, 'object_attributes', 'source_branch'),
    baseRef: text(payload, 'object_attributes', 'target_branch'),
    isFork,
    headCloneUrl: isFork ? (optionalText(payload, 'object_attributes', 'source', 'git_http_url') ?? null) : null,
    ...(author === undefined ? {} : { author }),
  });
}
