import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import { mkdir, mkdtemp, readFile, readdir, rm, writeFile } from 'node:fs/promises';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { startGitHttpTestServer } from './git-http-test-server.js';
import { redactUrl } from './git-source.js';
import { createSourceFetcher } from './source-fetcher.js';

/** Without the caller's GIT_DIR & co.: run from a git hook or with GIT_DIR set, the fixture must not write into that repository. */
const gitEnv = {
  ...Object.fromEntries(Object.entries(process.env).filter(([key]) => !/^GIT_/.test(key))),
  GIT_AUTHOR_NAME: 'Test',
  GIT_AUTHOR_EMAIL: 'test@example.com',
  GIT_COMMITTER_NAME: 'Test',
  GIT_COMMITTER_EMAIL: 'test@example.com',
  GIT_CONFIG_NOSYSTEM: '1',
};

let root: string;
let repo: string;
const commits: Record<'tagged' | 'middle' | 'head' | 'feature', string> = {
  tagged: '',
  middle: '',
  head: '',
  feature: '',
};
let destCount = 0;

function git(cwd: string, ...args: string[]): string {
  return execFileSync('git', args, { cwd, env: gitEnv, encoding: 'utf8' }).trim();
}

async function commitFile(name: string, content: string, message: string): Promise<string> {
  await writeFile(join(repo, name), content);
  git(repo, 'add', name);
  git(repo, 'commit', '-q', '-m', message);
  return git(repo, 'rev-parse', 'HEAD');
}

/**
 * main: tagged (tag v1) → middle → head; feature: middle → feature.
 * `middle` is no branch or tag tip, so only a fetch by id (or of the full history) finds it.
 */
beforeAll(async () => {
  root = await mkdtemp(join(tmpdir(), 'slipway-git-source-'));
  repo = join(root, 'repo');
  await mkdir(repo);
  git(repo, 'init', '-q', '-b', 'main');
  commits.tagged = await commitFile('version.txt', 'one\n', 'one');
  git(repo, 'tag', '-a', 'v1', '-m', 'release one');
  commits.middle = await commitFile('version.txt', 'two\n', 'two');
  commits.head = await commitFile('version.txt', 'three\n', 'three');
  git(repo, 'checkout', '-q', '-b', 'feature', commits.middle);
  commits.feature = await commitFile('feature.txt', 'feature\n', 'feature');
  git(repo, 'checkout', '-q', 'main');
});

afterAll(async () => {
  await rm(root, { recursive: true, force: true });
});

let lines: string[] = [];
beforeEach(() => {
  lines = [];
});

const fetcher = createSourceFetcher({ maxArchiveBytes: 1024 * 1024, gitTimeoutMs: 30_000 });
async function fetchGit(url: string, ref?: string) {
  const destDir = join(root, `dest-${destCount++}`);
  const view = await fetcher.fetch(
    { kind: 'git', url, ...(ref === undefined ? {} : { ref }) },
    { destDir, log: (line) => lines.push(line) },
  );
  return { view, destDir, version: await readFile(join(destDir, 'version.txt'), 'utf8') };
}

describe('git sources', () => {
  it('fetches the remote HEAD by default, names its branch and leaves no .git behind', async () => {
    const { view, destDir, version } = await fetchGit(repo);
    expect(view).toEqual({ kind: 'git', url: repo, ref: 'main', commit: commits.head });
    expect(version).toBe('three\n');
    expect((await readdir(destDir)).sort()).toEqual(['version.txt']);
    expect(lines.some((line) => line.includes(commits.head))).toBe(true);
  });

  it('fetches a branch over file://', async () => {
    const { view, destDir } = await fetchGit(`file://${repo}`, 'feature');
    expect(view).toMatchObject({ kind: 'git', ref: 'feature', commit: commits.feature });
    expect(await readFile(join(destDir, 'feature.txt'), 'utf8')).toBe('feature\n');
  });

  it('fetches an annotated tag as the commit it points at', async () => {
    const { view, version } = await fetchGit(repo, 'v1');
    expect(view).toMatchObject({ ref: 'v1', commit: commits.tagged });
    expect(version).toBe('one\n');
  });

  it('fetches a full commit id that no branch or tag points at', async () => {
    const { view, version } = await fetchGit(repo, commits.middle);
    expect(view).toMatchObject({ commit: commits.middle });
    expect(version).toBe('two\n');
  });

  it('fetches an abbreviated commit id by falling back to the full history', async () => {
    const { view, version } = await fetchGit(repo, commits.middle.slice(0, 8));
    expect(view).toMatchObject({ ref: commits.middle.slice(0, 8), commit: commits.middle });
    expect(version).toBe('two\n');
    expect(lines).toContain('commit not advertised by the remote; fetching full history');
  });

  it('fails with SOURCE_REF_NOT_FOUND naming a ref the repository does not have', async () => {
    await expect(fetchGit(repo, 'no-such-branch')).rejects.toMatchObject({
      code: 'SOURCE_REF_NOT_FOUND',
      message: expect.stringContaining('no-such-branch') as unknown,
    });
    await expect(fetchGit(repo, 'deadbeef')).rejects.toMatchObject({ code: 'SOURCE_REF_NOT_FOUND' });
  });

  it("fails with SOURCE_UNREACHABLE naming the URL and quoting git's error when the repository does not exist", async () => {
    const missing = join(root, 'missing-repo');
    const error = await fetchGit(missing).catch((caught: unknown) => caught);
    expect(error).toMatchObject({ code: 'SOURCE_UNREACHABLE' });
    expect((error as Error).message).toContain(missing);
    expect((error as Error).message).toMatch(/does not appear to be a git repository|Could not read/);
  });

  it('refuses ext:: transports and option-like URLs before running git', async () => {
    await expect(fetchGit('ext::sh -c "touch /tmp/slipway-pwned"')).rejects.toMatchObject({ code: 'SOURCE_INVALID' });
    await expect(fetchGit('--upload-pack=touch /tmp/slipway-pwned')).rejects.toMatchObject({ code: 'SOURCE_INVALID' });
    await expect(fetchGit(repo, '--orphan')).rejects.toMatchObject({ code: 'SOURCE_INVALID' });
  });

  it('gives up with SOURCE_UNREACHABLE once the git time budget is spent', async () => {
    const hasty = createSourceFetcher({ gitTimeoutMs: 1 });
    await expect(
      hasty.fetch({ kind: 'git', url: repo }, { destDir: join(root, 'hasty'), log: () => {} }),
    ).rejects.toMatchObject({
      code: 'SOURCE_UNREACHABLE',
      message: expect.stringContaining('timed out') as unknown,
    });
  });

  it('gives up with SOURCE_UNREACHABLE on a remote that accepts and never answers, well before the budget', async () => {
    const silentRemote = createServer((socket) => socket.on('error', () => undefined));
    const port = await new Promise<number>((resolve) =>
      silentRemote.listen(0, '127.0.0.1', () => {
        const address = silentRemote.address();
        resolve(typeof address === 'object' && address !== null ? address.port : 0);
      }),
    );
    let connections = 0;
    silentRemote.on('connection', () => (connections += 1));
    const patient = createSourceFetcher({ gitTimeoutMs: 10 * 60_000, gitStallTimeoutMs: 300 });
    try {
      for (const url of [`git://127.0.0.1:${port}/repo.git`, `http://127.0.0.1:${port}/repo.git`]) {
        await expect(
          patient.fetch({ kind: 'git', url }, { destDir: join(root, `stalled-${url.split(':')[0]}`), log: () => {} }),
        ).rejects.toMatchObject({
          code: 'SOURCE_UNREACHABLE',
          details: { url, stallTimeoutMs: 300 },
        });
      }
      expect(connections).toBe(2);
    } finally {
      silentRemote.close();
    }
  });

  it('refuses local repositories outside the allowed roots', async () => {
    const confined = createSourceFetcher({ maxArchiveBytes: 1024, allowedPathRoots: [join(root, 'elsewhere')] });
    await expect(
      confined.fetch({ kind: 'git', url: `file://${repo}` }, { destDir: join(root, 'confined'), log: () => {} }),
    ).rejects.toMatchObject({
      code: 'SOURCE_PATH_NOT_ALLOWED',
    });
  });

  it("refuses a local repository that is, or is inside, slipwayd's data dir, by file:// URL or by path", async () => {
    const guarded = createSourceFetcher({ allowedPathRoots: [root], forbiddenPaths: [repo] });
    for (const url of [`file://${repo}`, repo, `${repo}/.git`]) {
      await expect(
        guarded.fetch({ kind: 'git', url, localAccess: 'anywhere' }, { destDir: join(root, 'guarded'), log: () => {} }),
      ).rejects.toMatchObject({ code: 'SOURCE_PATH_NOT_ALLOWED' });
    }
  });

  it('hides the password of a URL in what it returns', () => {
    expect(redactUrl('https://bot:s3cret@example.com/repo.git')).toBe('https://bot:***@example.com/repo.git');
    expect(redactUrl('https://example.com/repo.git')).toBe('https://example.com/repo.git');
  });
});

describe('git sources over git daemon', () => {
  let daemon: ChildProcess | undefined;
  let port = 0;

  beforeAll(async () => {
    port = await new Promise<number>((resolve) => {
      const probe = createServer().listen(0, '127.0.0.1', () => {
        const address = probe.address();
        probe.close(() => resolve(typeof address === 'object' && address !== null ? address.port : 0));
      });
    });
    daemon = spawn(
      'git',
      ['daemon', '--reuseaddr', '--export-all', `--base-path=${root}`, '--listen=127.0.0.1', `--port=${port}`, root],
      {
        stdio: ['ignore', 'ignore', 'pipe'],
      },
    );
    // Ready once it accepts connections.
    for (let attempt = 0; attempt < 100; attempt += 1) {
      const isUp = await new Promise<boolean>((resolve) => {
        const socket = createServer().on('error', () => resolve(true));
        socket.listen(port, '127.0.0.1', () => socket.close(() => resolve(false)));
      });
      if (isUp) break;
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
  });

  afterAll(() => {
    daemon?.kill('SIGTERM');
  });

  it('fetches a tag over the git:// protocol from a real git daemon', async () => {
    const { view, version } = await fetchGit(`git://127.0.0.1:${port}/repo`, 'v1');
    expect(view).toMatchObject({ kind: 'git', url: `git://127.0.0.1:${port}/repo`, ref: 'v1', commit: commits.tagged });
    expect(version).toBe('one\n');
  });

  it('reports a repository the daemon does not serve as SOURCE_UNREACHABLE', async () => {
    await expect(fetchGit(`git://127.0.0.1:${port}/nothing-here`)).rejects.toMatchObject({
      code: 'SOURCE_UNREACHABLE',
    });
  });
});

describe('git sources over HTTP with credentials', () => {
  const credentials = { username: 'deploy-bot', password: 'sentinel-3b9f2c71-token' };

  it('authenticates with the credentials given apart from the URL, and never shows them', async () => {
    const server = await startGitHttpTestServer(root, credentials);
    try {
      const destDir = join(root, 'over-http');
      const lines: string[] = [];
      const view = await fetcher.fetch(
        { kind: 'git', url: `${server.url}repo` },
        { destDir, log: (line) => lines.push(line), gitCredentials: credentials },
      );
      expect(view).toMatchObject({ kind: 'git', url: `${server.url}repo`, commit: commits.head });
      expect(await readFile(join(destDir, 'version.txt'), 'utf8')).toBe('three\n');
      expect(server.seen.some((line) => line.endsWith('| Basic ' + btoa('deploy-bot:sentinel-3b9f2c71-token')))).toBe(
        true,
      );
      const shown = JSON.stringify({ view, lines });
      expect(shown).not.toContain(credentials.password);
      expect(shown).not.toContain(credentials.username);

      // Without them (or with wrong ones) the server refuses, and the error holds neither.
      for (const gitCredentials of [undefined, { username: 'deploy-bot', password: 'wrong-password-value' }]) {
        const error = await fetcher
          .fetch(
            { kind: 'git', url: `${server.url}repo` },
            {
              destDir: join(root, `refused-${gitCredentials === undefined ? 'none' : 'wrong'}`),
              log: () => {},
              ...(gitCredentials === undefined ? {} : { gitCredentials }),
            },
          )
          .catch((e: unknown) => e as Error);
        expect(error).toMatchObject({ code: 'SOURCE_UNREACHABLE' });
        expect(JSON.stringify(error) + (error as Error).message).not.toContain('wrong-password-value');
      }
    } finally {
      await server.close();
    }
  });
});
