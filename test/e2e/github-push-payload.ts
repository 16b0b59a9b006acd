/** A GitHub `push` delivery body for the webhook tests: GitHub's first `push` example, moved to `ref` at `after`. */
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
