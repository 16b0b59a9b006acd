/**
 * GitHub webhook fixtures of the webhook tests: a push delivery's body, a pull request delivery's body, and a GitHub
 * repository with its secret.
 */
import type { SlipwaydHarness } from './slipwayd-harness.js';

/** GitHub's first `push` example, moved to `ref` at `after`. */
export async function githubPush(ref: string, before: string | null, after: string | null): Promise<Buffer> {
  const { default: examples } = (await import('@octokit/webhooks-examples/api.github.com/index.json', {
    with: { type: 'json' },
  })) as { default: { name: string; examples: Record<string, unknown>[] }[] };
  const example = examples.find((e) => e.name === 'push')?.examples[0] ?? {};
  const zeros = '0'.repeat(40);
  return Buffer.from(
    JSON.stringify({
      ...example,
      ref,
      before: before ?? zeros,
      after: after ?? zeros,
      created: before === null,
      deleted: after === null,
      forced: false,
    }),
  );
}

/** GitHub's `pull_request` `opened` example (@octokit/webhooks-examples) as pull request `number` at `head`. */
export async function githubPullRequest(
  action: 'opened' | 'closed',
  number: number,
  head: { sha: string; ref: string; isFork: boolean },
  isMerged = false,
): Promise<Buffer> {
  const { default: examples } = (await import('@octokit/webhooks-examples/api.github.com/index.json', {
    with: { type: 'json' },
  })) as { default: { name: string; examples: Record<string, unknown>[] }[] };
  const example = (examples.find((e) => e.name === 'pull_request')?.examples ?? []).find(
    (e) => e.action === 'opened',
  ) as { pull_request: Record<string, Record<string, unknown>> } & Record<string, unknown>;
  const pr = example.pull_request;
  const baseRepo = pr.base?.repo as Record<string, unknown>;
  return Buffer.from(
    JSON.stringify({
      ...example,
      action,
      number,
      pull_request: {
        ...pr,
        number,
        title: `Change ${number}`,
        merged: isMerged,
        head: {
          ...pr.head,
          sha: head.sha,
          ref: head.ref,
          repo: head.isFork ? { ...baseRepo, id: 424242, clone_url: 'https://github.com/someone/shop.git' } : baseRepo,
        },
      },
    }),
  );
}

/**
 * Adds the repository `upstream` of project `acme`, served by a test git server at `gitUrl` behind `token`, as a
 * GitHub repository, and makes its webhook secret; answers the repository's id and that secret.
 */
export async function addGithubUpstream(
  slipwayd: SlipwaydHarness,
  gitUrl: string,
  token: string,
): Promise<{ repositoryId: string; secret: string }> {
  const added = await slipwayd.api.repositories.add('acme', {
    name: 'upstream',
    url: `http://x-access-token:${token}@127.0.0.1:${new URL(gitUrl).port}/app.git`,
    provider: 'github',
  });
  const rotated = await slipwayd.cli(['repos', 'webhook', 'rotate', 'upstream', '--project', 'acme']);
  const secret = /secret: +(\S+)/.exec(rotated.stdout)?.[1];
  if (rotated.code !== 0 || secret === undefined) throw new Error(`webhook secret not made: ${rotated.stderr}`);
  return { repositoryId: added.id, secret };
}
