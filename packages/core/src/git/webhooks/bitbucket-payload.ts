/**
 * Bitbucket Cloud's `repo:push` and `pullrequest:*` payloads as git events (support.atlassian.com, "Event payloads").
 * One push delivery lists several ref changes, so it becomes one event per change (delivery key `<key>#<n>`).
 * `pullrequest:updated` also fires for a new title: the inbox compares its head with the last one it saw of that
 * pull request and ignores an update that moved no commit. Bitbucket sends 12-character commit hashes.
 */
import type { GitEvent, PullRequestAction } from '../git-event.js';
import {
  commitOrNull,
  flag,
  fullRef,
  pullRequestNumber,
  list,
  optionalText,
  text,
  type Json,
} from './payload-reader.js';
import { eventsOf, ignored, type WebhookContext, type WebhookNormalization } from './webhook-normalization.js';

const pullRequestActions: Readonly<Record<string, PullRequestAction>> = {
  'pullrequest:created': 'opened',
  'pullrequest:updated': 'updated',
  'pullrequest:fulfilled': 'merged',
  'pullrequest:rejected': 'closed',
};

export function normalizeBitbucket(payload: Json, context: WebhookContext): WebhookNormalization {
  if (context.eventName === 'repo:push') return bitbucketPush(payload, context);
  const action = pullRequestActions[context.eventName];
  if (action !== undefined) return bitbucketPullRequest(payload, context, action);
  return ignored(`event ${context.eventName} is not one Slipway acts on`);
}

function refKind(change: Json, side: 'new' | 'old'): 'branch' | 'tag' | undefined {
  const type = optionalText(change, side, 'type');
  if (type === 'branch' || type === 'named_branch') return 'branch';
  if (type === 'tag' || type === 'annotated_tag') return 'tag';
  return undefined;
}

function bitbucketPush(payload: Json, context: WebhookContext): WebhookNormalization {
  const changes = list(payload, 'push', 'changes');
  const pusher = optionalText(payload, 'actor', 'nickname') ?? optionalText(payload, 'actor', 'display_name');
  const events: GitEvent[] = [];
  changes.forEach((change, index) => {
    const side = optionalText(change, 'new', 'name') === undefined ? 'old' : 'new';
    const kind = refKind(change, side);
    if (kind === undefined) return;
    events.push({
      kind: 'push',
      repositoryId: context.repositoryId,
      origin: 'bitbucket',
      deliveryKey: changes.length === 1 ? context.deliveryKey : `${context.deliveryKey}#${index}`,
      ref: fullRef(text(change, side, 'name'), kind),
      before: commitOrNull(optionalText(change, 'old', 'target', 'hash')),
      after: commitOrNull(optionalText(change, 'new', 'target', 'hash')),
      isForced: flag(change, 'forced'),
      ...(pusher === undefined ? {} : { pusher }),
    });
  });
  if (events.length === 0) return ignored('a push that changed no branch or tag');
  return eventsOf(...events);
}

function bitbucketPullRequest(payload: Json, context: WebhookContext, action: PullRequestAction): WebhookNormalization {
  const number = pullRequestNumber(payload, 'pullrequest', 'id');
  const source = optionalText(payload, 'pullrequest', 'source', 'repository', 'uuid');
  const destination = optionalText(payload, 'pullrequest', 'destination', 'repository', 'uuid');
  const isFork = source === undefined || source !== destination;
  const sourceName = optionalText(payload, 'pullrequest', 'source', 'repository', 'full_name');
  const author =
    optionalText(payload, 'pullrequest', 'author', 'nickname') ??
    optionalText(payload, 'pullrequest', 'author', 'display_name');
  return eventsOf({
    kind: 'pull-request',
    repositoryId: context.repositoryId,
    origin: 'bitbucket',
    deliveryKey: context.deliveryKey,
    action,
    number,
    title: text(payload, 'pullrequest', 'title'),
    headSha: commitOrNull(text(payload, 'pullrequest', 'source', 'commit', 'hash')) ?? '',
    headRef: text(payload, 'pullrequest', 'source', 'branch', 'name'),
    baseRef: text(payload, 'pullrequest', 'destination', 'branch', 'name'),
    isFork,
    headCloneUrl: isFork && sourceName !== undefined ? `https://bitbucket.org/${sourceName}.git` : null,
    ...(author === undefined ? {} : { author }),
  });
}
