import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import type { GitEvent, GitProvider } from '../git-event.js';
import { normalizeWebhook } from './webhook-payload.js';
import type { WebhookNormalization } from './webhook-normalization.js';

const fixtures = join(import.meta.dirname, '..', '..', '..', '..', '..', 'test', 'fixtures', 'webhooks');
const A = '1b7d2a3f4e5c6b7a8d9e0f1a2b3c4d5e6f7a8b9c';
const B = '9c8b7a6f5e4d3c2b1a0f9e8d7c6b5a4f3e2d1c0b';

interface GithubExample {
  name: string;
  examples: Record<string, unknown>[];
}
const githubExamples = createRequire(import.meta.url)('@octokit/webhooks-examples') as GithubExample[];

function githubExample(
  event: string,
  predicate: (example: Record<string, unknown>) => boolean,
): Record<string, unknown> {
  const found = githubExamples.find((e) => e.name === event)?.examples.find(predicate);
  if (found === undefined) throw new Error(`no ${event} example`);
  return structuredClone(found);
}

const prAction = (action: string) => (e: Record<string, unknown>) => e.action === action;

function normalize(provider: GitProvider, eventName: string, payload: unknown): WebhookNormalization {
  const body = Buffer.from(typeof payload === 'string' ? payload : JSON.stringify(payload));
  return normalizeWebhook(provider, body, 'application/json', {
    repositoryId: 'repo_1',
    deliveryKey: 'd-1',
    eventName,
  });
}

function fixture(name: string): unknown {
  return JSON.parse(readFileSync(join(fixtures, `${name}.json`), 'utf8'));
}

function events(result: WebhookNormalization): readonly GitEvent[] {
  if (result.kind !== 'events') throw new Error(`ignored: ${result.reason}`);
  return result.events;
}

function only(result: WebhookNormalization): GitEvent {
  const [event, ...rest] = events(result);
  if (event === undefined || rest.length > 0) throw new Error('expected one event');
  return event;
}

describe('GitHub payloads (from @octokit/webhooks-examples)', () => {
  it('makes a push to a branch an event with the full ref, both commits and the pusher', () => {
    const payload = githubExample('push', (e) => e.ref === 'refs/heads/main' || e.ref === 'refs/heads/master');
    const event = only(normalize('github', 'push', payload));
    expect(event).toMatchObject({
      kind: 'push',
      origin: 'github',
      repositoryId: 'repo_1',
      deliveryKey: 'd-1',
      ref: payload.ref,
      after: payload.after,
      isForced: false,
    });
  });

  it('makes a created tag a push with no before commit', () => {
    const event = only(
      normalize(
        'github',
        'push',
        githubExample('push', (e) => e.ref === 'refs/tags/simple-tag'),
      ),
    );
    expect(event).toMatchObject({ kind: 'push', ref: 'refs/tags/simple-tag', before: null });
  });

  it('makes a deleted branch a push with no after commit, and a force push says so', () => {
    const base = githubExample('push', (e) => typeof e.ref === 'string' && e.ref.startsWith('refs/heads/'));
    const deleted = only(normalize('github', 'push', { ...base, deleted: true, after: '0'.repeat(40) }));
    expect(deleted).toMatchObject({ after: null });
    const forced = only(normalize('github', 'push', { ...base, forced: true }));
    expect(forced).toMatchObject({ isForced: true });
  });

  it('maps opened, reopened and ready_for_review to opened, synchronize to updated, closed to closed or merged', () => {
    for (const [action, expected] of [
      ['opened', 'opened'],
      ['reopened', 'opened'],
      ['ready_for_review', 'opened'],
      ['synchronize', 'updated'],
      ['closed', 'closed'],
    ] as const) {
      const payload = githubExample('pull_request', prAction(action));
      const event = only(normalize('github', 'pull_request', payload));
      expect(event).toMatchObject({ kind: 'pull-request', action: expected, isFork: false, headCloneUrl: null });
    }
    const merged = githubExample('pull_request', prAction('closed'));
    (merged.pull_request as Record<string, unknown>).merged = true;
    expect(only(normalize('github', 'pull_request', merged))).toMatchObject({ action: 'merged' });
  });

  it('reads number, title, head commit and branches of a pull request', () => {
    const payload = githubExample('pull_request', prAction('opened'));
    const pr = payload.pull_request as { title: string; head: { sha: string; ref: string }; base: { ref: string } };
    expect(only(normalize('github', 'pull_request', payload))).toMatchObject({
      number: payload.number,
      title: pr.title,
      headSha: pr.head.sha,
      headRef: pr.head.ref,
      baseRef: pr.base.ref,
    });
  });

  it("detects a fork's pull request by the head repository's id, and gives its clone URL", () => {
    const payload = githubExample('pull_request', prAction('opened'));
    const head = (payload.pull_request as { head: { repo: Record<string, unknown> } }).head;
    head.repo = { ...head.repo, id: 999_999, clone_url: 'https://github.com/mallory/hello.git' };
    expect(only(normalize('github', 'pull_request', payload))).toMatchObject({
      isFork: true,
      headCloneUrl: 'https://github.com/mallory/hello.git',
    });
  });

  it('ignores a label change, a ping and an event Slipway does not act on, saying why', () => {
    expect(normalize('github', 'pull_request', githubExample('pull_request', prAction('labeled')))).toMatchObject({
      kind: 'ignored',
    });
    expect(
      normalize(
        'github',
        'ping',
        githubExample('ping', () => true),
      ),
    ).toMatchObject({ kind: 'ignored' });
    expect(
      normalize(
        'github',
        'star',
        githubExample('star', () => true),
      ),
    ).toEqual({
      kind: 'ignored',
      reason: 'event star is not one Slipway acts on',
    });
  });

  it('reads a form-encoded payload', () => {
    const payload = githubExample('push', (e) => e.ref === 'refs/tags/simple-tag');
    const body = Buffer.from(new URLSearchParams({ payload: JSON.stringify(payload) }).toString());
    const result = normalizeWebhook('github', body, 'application/x-www-form-urlencoded', {
      repositoryId: 'repo_1',
      deliveryKey: 'd-1',
      eventName: 'push',
    });
    expect(only(result)).toMatchObject({ ref: 'refs/tags/simple-tag' });
  });
});

describe('GitLab payloads', () => {
  it('makes push, tag push and branch delete push events', () => {
    expect(only(normalize('gitlab', 'Push Hook', fixture('gitlab-push')))).toEqual({
      kind: 'push',
      repositoryId: 'repo_1',
      origin: 'gitlab',
      deliveryKey: 'd-1',
      ref: 'refs/heads/main',
      before: B,
      after: A,
      isForced: false,
      pusher: 'jdoe',
    });
    expect(only(normalize('gitlab', 'Tag Push Hook', fixture('gitlab-tag-push')))).toMatchObject({
      ref: 'refs/tags/v1.2.0',
      before: null,
      after: A,
    });
    expect(only(normalize('gitlab', 'Push Hook', fixture('gitlab-branch-delete')))).toMatchObject({
      ref: 'refs/heads/feature/old',
      after: null,
    });
  });

  it('maps open, update with oldrev, a draft marked ready, close and merge', () => {
    const action = (name: string) => {
      const event = only(normalize('gitlab', 'Merge Request Hook', fixture(name)));
      return event.kind === 'pull-request' ? event.action : undefined;
    };
    expect(action('gitlab-merge-request-open')).toBe('opened');
    expect(action('gitlab-merge-request-update')).toBe('updated');
    expect(action('gitlab-merge-request-ready')).toBe('opened');
    expect(action('gitlab-merge-request-close')).toBe('closed');
    expect(action('gitlab-merge-request-merge')).toBe('merged');
  });

  it('reads the iid, head commit and branches, and ignores an update without new commits', () => {
    expect(only(normalize('gitlab', 'Merge Request Hook', fixture('gitlab-merge-request-open')))).toMatchObject({
      number: 12,
      title: 'Add a login form',
      headSha: A,
      headRef: 'feature/login',
      baseRef: 'main',
      isFork: false,
      author: 'jdoe',
    });
    expect(normalize('gitlab', 'Merge Request Hook', fixture('gitlab-merge-request-update-title'))).toMatchObject({
      kind: 'ignored',
    });
  });

  it("detects a fork's merge request by the source project's id", () => {
    expect(only(normalize('gitlab', 'Merge Request Hook', fixture('gitlab-merge-request-fork')))).toMatchObject({
      number: 13,
      isFork: true,
      headCloneUrl: 'https://gitlab.example.com/mallory/api.git',
    });
  });
});

describe('Gitea and Forgejo payloads', () => {
  it('makes push, tag push and delete push events', () => {
    expect(only(normalize('gitea', 'push', fixture('gitea-push')))).toMatchObject({
      origin: 'gitea',
      ref: 'refs/heads/main',
      before: B,
      after: A,
      pusher: 'jdoe',
    });
    expect(only(normalize('gitea', 'push', fixture('gitea-tag-push')))).toMatchObject({ ref: 'refs/tags/v1.2.0' });
    expect(only(normalize('gitea', 'delete', fixture('gitea-delete')))).toMatchObject({
      ref: 'refs/heads/feature/old',
      before: null,
      after: null,
    });
  });

  it('maps opened, synchronized, closed and merged, and ignores an edit', () => {
    const action = (name: string) => {
      const event = only(normalize('gitea', 'pull_request', fixture(name)));
      return event.kind === 'pull-request' ? event.action : undefined;
    };
    expect(action('gitea-pull-request-opened')).toBe('opened');
    expect(action('gitea-pull-request-synchronized')).toBe('updated');
    expect(action('gitea-pull-request-closed')).toBe('closed');
    expect(action('gitea-pull-request-merged')).toBe('merged');
    expect(normalize('gitea', 'pull_request', fixture('gitea-pull-request-edited'))).toMatchObject({ kind: 'ignored' });
  });

  it("detects a fork's pull request by the head repository's id", () => {
    expect(only(normalize('gitea', 'pull_request', fixture('gitea-pull-request-opened')))).toMatchObject({
      number: 5,
      headSha: A,
      headRef: 'feature/login',
      baseRef: 'main',
      isFork: false,
    });
    expect(only(normalize('gitea', 'pull_request', fixture('gitea-pull-request-fork')))).toMatchObject({
      number: 6,
      isFork: true,
      headCloneUrl: 'https://git.example.com/mallory/api.git',
    });
  });
});

describe('Bitbucket payloads', () => {
  it('makes one push event per changed ref: a forced branch push, a new tag, a deleted branch', () => {
    expect(events(normalize('bitbucket', 'repo:push', fixture('bitbucket-push')))).toEqual([
      expect.objectContaining({ deliveryKey: 'd-1#0', ref: 'refs/heads/main', before: B, after: A, isForced: true }),
      expect.objectContaining({ deliveryKey: 'd-1#1', ref: 'refs/tags/v1.2.0', before: null, after: A }),
      expect.objectContaining({ deliveryKey: 'd-1#2', ref: 'refs/heads/feature/old', before: B, after: null }),
    ]);
  });

  it('maps created, updated, fulfilled and rejected', () => {
    for (const [name, action] of [
      ['created', 'opened'],
      ['updated', 'updated'],
      ['fulfilled', 'merged'],
      ['rejected', 'closed'],
    ] as const) {
      const event = only(normalize('bitbucket', `pullrequest:${name}`, fixture(`bitbucket-pullrequest-${name}`)));
      expect(event).toMatchObject({ kind: 'pull-request', action, number: 3, isFork: false });
    }
  });

  it("keeps the 12-character head hash and detects a fork by the source repository's uuid", () => {
    expect(only(normalize('bitbucket', 'pullrequest:created', fixture('bitbucket-pullrequest-created')))).toMatchObject(
      { headSha: A.slice(0, 12), headRef: 'feature/login', baseRef: 'main', author: 'jdoe' },
    );
    expect(only(normalize('bitbucket', 'pullrequest:created', fixture('bitbucket-pullrequest-fork')))).toMatchObject({
      number: 4,
      isFork: true,
      headCloneUrl: 'https://bitbucket.org/mallory/api.git',
    });
  });
});

describe('malformed payloads', () => {
  it('refuses a body that is not JSON, not an object, or lacks a field, with VALIDATION_FAILED naming it', () => {
    expect(() => normalize('github', 'push', '{not json')).toThrow(
      expect.objectContaining({ code: 'VALIDATION_FAILED' }),
    );
    expect(() => normalize('gitlab', 'Push Hook', '[1]')).toThrow(
      expect.objectContaining({ code: 'VALIDATION_FAILED' }),
    );
    expect(() => normalize('gitea', 'push', { before: A })).toThrow(/ref is not a string/);
    expect(() => normalize('github', 'push', { ref: 'refs/heads/x', after: 'zz; rm -rf' })).toThrow(/hex object id/);
  });
});
