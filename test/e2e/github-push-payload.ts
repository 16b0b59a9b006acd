/** GitHub webhook fixtures of the webhook tests: a push delivery's body, and a GitHub repository with its secret. */
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
