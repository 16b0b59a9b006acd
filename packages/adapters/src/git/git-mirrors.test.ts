import { execFileSync } from 'node:child_process';
import { mkdir, mkdtemp, readFile, readdir, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { GitRemote, Logger } from '@slipway/core';
import { generateDeployKey } from '@slipway/core';
import { startGitHttpTestServer, type GitHttpTestServer } from '../source/git-http-test-server.js';
import { createGitMirrors } from './git-mirrors.js';
import { sshGitServerAvailability, startSshGitTestServer, type SshGitTestServer } from './ssh-git-test-server.js';
import { skipUnless } from '@slipway/testkit';

const gitEnv = {
  ...Object.fromEntries(Object.entries(process.env).filter(([key]) => !/^GIT_/.test(key))),
  GIT_AUTHOR_NAME: 'Test',
  GIT_AUTHOR_EMAIL: 'test@example.com',
  GIT_COMMITTER_NAME: 'Test',
  GIT_COMMITTER_EMAIL: 'test@example.com',
  GIT_CONFIG_NOSYSTEM: '1',
};
const silent: Logger = { debug() {}, info() {}, warn() {}, error() {}, child: () => silent };
const token = 'sentinel-token-7f3a9c1e5b';

let root: string;
let projectRoot: string;
let upstream: string;
let server: GitHttpTestServer;

function git(cwd: string, ...args: string[]): string {
  return execFileSync('git', args, { cwd, env: gitEnv, encoding: 'utf8' }).trim();
}

async function commitFiles(files: Record<string, string>, message: string): Promise<string> {
  for (const [name, content] of Object.entries(files)) await writeFile(join(upstream, name), content);
  git(upstream, 'add', '-A');
  git(upstream, 'commit', '-q', '-m', message);
  return git(upstream, 'rev-parse', 'HEAD');
}

/** Objects in a repository, loose and packed (`git count-objects -v`). */
function objectCount(gitDir: string): number {
  const lines = git(gitDir, '--git-dir', gitDir, 'count-objects', '-v').split('\n');
  const field = (name: string) => Number(lines.find((l) => l.startsWith(`${name}:`))?.split(':')[1] ?? 0);
  return field('count') + field('in-pack');
}

async function filesUnder(dir: string): Promise<string[]> {
  const entries = await readdir(dir, { recursive: true, withFileTypes: true });
  return entries.filter((e) => e.isFile()).map((e) => join(e.parentPath, e.name));
}

function mirrorsUnder(rootDir: string) {
  return createGitMirrors({
    rootDir,
    remoteTimeoutMs: 60_000,
    stallTimeoutMs: 30_000,
    localTimeoutMs: 30_000,
    logger: silent,
  });
}

beforeAll(async () => {
  root = await mkdtemp(join(tmpdir(), 'slipway-mirrors-'));
  projectRoot = join(root, 'served');
  upstream = join(projectRoot, 'app.git');
  await mkdir(upstream, { recursive: true });
  git(upstream, 'init', '-q', '-b', 'main');
  // Many files, so a full clone is clearly more objects than one new commit.
  const files: Record<string, string> = {};
  for (let i = 0; i < 40; i += 1) files[`file-${i}.txt`] = `content ${i}\n`;
  await commitFiles({ ...files, 'slipway.yaml': 'name: app\n' }, 'first');
  git(upstream, 'config', 'http.receivepack', 'false');
  server = await startGitHttpTestServer(projectRoot, { username: 'x-access-token', password: token });
});

afterAll(async () => {
  await server.close();
  await rm(root, { recursive: true, force: true });
});

describe('git mirrors over HTTP with a token', () => {
  const remote = (): GitRemote => ({
    repositoryId: 'repo_http',
    url: `${server.url}app.git`,
    credential: { kind: 'token', username: 'x-access-token', token },
  });

  it('fetches only the objects the mirror lacks on the next sync', async () => {
    const mirrors = mirrorsUnder(join(root, 'mirrors-a'));
    const first = await mirrors.sync(remote());
    const afterFirst = objectCount(mirrors.mirrorDir('repo_http'));
    expect(afterFirst).toBeGreaterThanOrEqual(42); // 40 files + manifest blobs, a tree, a commit
    const head = await commitFiles({ 'file-1.txt': 'changed\n' }, 'second');
    const second = await mirrors.sync(remote());
    const added = objectCount(mirrors.mirrorDir('repo_http')) - afterFirst;
    // One commit, its tree and one changed blob: nothing already mirrored travels again.
    expect(added).toBe(3);
    expect(first.heads.find((h) => h.ref === 'refs/heads/main')?.commit).not.toBe(head);
    expect(second.heads).toEqual([{ ref: 'refs/heads/main', commit: head }]);
    expect(await mirrors.resolve('repo_http', 'refs/heads/main')).toBe(head);
    expect(await mirrors.resolve('repo_http', 'main')).toBe(head);
    expect(await mirrors.resolve('repo_http', 'refs/heads/none')).toBeUndefined();
  });

  it('coalesces concurrent syncs of one repository into at most two fetches', async () => {
    const mirrors = mirrorsUnder(join(root, 'mirrors-b'));
    const before = server.seen.filter((line) => line.startsWith('GET /app.git/info/refs')).length;
    const results = await Promise.all(Array.from({ length: 6 }, () => mirrors.sync(remote())));
    const fetches = server.seen.filter((line) => line.startsWith('GET /app.git/info/refs')).length - before;
    expect(fetches).toBeGreaterThanOrEqual(1);
    expect(fetches).toBeLessThanOrEqual(2);
    for (const result of results) expect(result.heads).toEqual(results[0]?.heads);
  });

  it('checks out exactly the commit asked, without .git, fetching only when the mirror lacks it', async () => {
    const mirrors = mirrorsUnder(join(root, 'mirrors-c'));
    const first = git(upstream, 'rev-list', '--max-parents=0', 'HEAD');
    const dest = join(root, 'checkout-1');
    const log: string[] = [];
    await mirrors.checkout(remote(), first, dest, { log: (line) => log.push(line) });
    expect(await readFile(join(dest, 'file-1.txt'), 'utf8')).toBe('content 1\n');
    expect((await readdir(dest)).includes('.git')).toBe(false);
    const requests = server.seen.length;
    const again = join(root, 'checkout-2');
    await mirrors.checkout(remote(), first, again, { log: (line) => log.push(line) });
    expect(server.seen.length).toBe(requests);
    expect(log.join('\n')).toContain('in the mirror already');
    await expect(mirrors.checkout(remote(), 'f'.repeat(40), join(root, 'checkout-3'))).rejects.toMatchObject({
      code: 'SOURCE_REF_NOT_FOUND',
    });
  });

  it('lists the remote heads without fetching, and removes a mirror idempotently', async () => {
    const mirrors = mirrorsUnder(join(root, 'mirrors-d'));
    git(upstream, 'tag', '-a', 'v1.0.0', '-m', 'one');
    const heads = await mirrors.listRemoteHeads(remote());
    const main = git(upstream, 'rev-parse', 'main');
    expect(heads).toEqual([
      { ref: 'refs/heads/main', commit: main },
      { ref: 'refs/tags/v1.0.0', commit: main },
    ]);
    await mirrors.sync(remote());
    await mirrors.remove('repo_http');
    await mirrors.remove('repo_http');
    expect(await mirrors.resolve('repo_http', 'main')).toBeUndefined();
  });

  it('fetches a pull request ref for a commit no branch reaches, and shows the label, never the path', async () => {
    const mirrors = mirrorsUnder(join(root, 'mirrors-f'));
    git(upstream, 'checkout', '-q', '-b', 'side');
    const prHead = await commitFiles({ 'pr.txt': 'from a fork\n' }, 'fork change');
    git(upstream, 'update-ref', 'refs/pull/1/head', prHead);
    git(upstream, 'checkout', '-q', 'main');
    git(upstream, 'branch', '-q', '-D', 'side');
    const hosted: GitRemote = {
      repositoryId: 'repo_local',
      url: upstream,
      credential: undefined,
      label: '/git/app.git',
    };
    const log: string[] = [];
    const dest = join(root, 'checkout-pr');
    await mirrors.checkout(hosted, prHead, dest, { log: (line) => log.push(line), ref: 'refs/pull/1/head' });
    expect(await readFile(join(dest, 'pr.txt'), 'utf8')).toBe('from a fork\n');
    expect(log.join('\n')).toContain('/git/app.git');
    expect(log.join('\n')).not.toContain(upstream);
    const missing = await mirrors
      .checkout(hosted, 'e'.repeat(40), join(root, 'checkout-none'))
      .catch((e: unknown) => e);
    expect(missing).toMatchObject({ code: 'SOURCE_REF_NOT_FOUND' });
    expect(String(missing)).not.toContain(upstream);
  });

  it('shows a hosted bare repository by its label also where git leaves its .git suffix out ("From …")', async () => {
    const mirrors = mirrorsUnder(join(root, 'mirrors-g'));
    const bare = join(root, 'hosted', 'app_hidden.git');
    await mkdir(join(root, 'hosted'), { recursive: true });
    execFileSync('git', ['clone', '-q', '--bare', upstream, bare]);
    const head = git(bare, 'rev-parse', 'refs/heads/main').trim();
    const log: string[] = [];
    const hosted: GitRemote = { repositoryId: 'repo_bare', url: bare, credential: undefined, label: '/git/app.git' };
    await mirrors.checkout(hosted, head, join(root, 'checkout-bare'), { log: (line) => log.push(line) });
    expect(log.join('\n')).toContain('/git/app');
    expect(log.join('\n')).not.toContain(join(root, 'hosted'));
  });

  it('checks out only a subdirectory of the commit as the source root when asked', async () => {
    const mirrors = mirrorsUnder(join(root, 'mirrors-h'));
    await mkdir(join(upstream, 'services', 'api'), { recursive: true });
    const head = await commitFiles({ 'services/api/server.js': 'api\n' }, 'api service');
    const dest = join(root, 'checkout-sub');
    await mirrors.checkout(remote(), head, dest, { path: 'services/api' });
    expect(await readdir(dest)).toEqual(['server.js']);
    for (const path of ['../etc', 'services/../..', '/services']) {
      await expect(mirrors.checkout(remote(), head, join(root, 'checkout-bad'), { path })).rejects.toMatchObject({
        code: 'SOURCE_INVALID',
      });
    }
    await expect(mirrors.checkout(remote(), head, join(root, 'checkout-none'), { path: 'nope' })).rejects.toMatchObject(
      { code: 'SOURCE_INVALID' },
    );
  });

  it('removes a deploy key file a killed process left behind before its first command', async () => {
    const rootDir = join(root, 'mirrors-g');
    const stale = join(rootDir, '.keys', 'key-stale');
    await mkdir(stale, { recursive: true });
    await writeFile(join(stale, 'id_ed25519'), 'left behind');
    await writeFile(join(rootDir, '.index-stale'), 'left behind');
    await mirrorsUnder(rootDir).sync(remote());
    expect(await filesUnder(join(rootDir, '.keys'))).toEqual([]);
    expect((await readdir(rootDir)).filter((entry) => entry.includes('stale'))).toEqual([]);
  });

  it('refuses a wrong token with a coded error that holds no credential, and leaves none on disk', async () => {
    const rootDir = join(root, 'mirrors-e');
    const mirrors = mirrorsUnder(rootDir);
    const wrong = 'sentinel-wrong-4d2b8e';
    const error = await mirrors
      .sync({ ...remote(), credential: { kind: 'token', username: 'x-access-token', token: wrong } })
      .catch((e: unknown) => e);
    expect(error).toMatchObject({ code: 'SOURCE_UNREACHABLE' });
    expect(JSON.stringify(error) + String(error)).not.toContain(wrong);
    await mirrors.sync(remote());
    const basic = Buffer.from(`x-access-token:${token}`).toString('base64');
    for (const file of await filesUnder(rootDir)) {
      const text = await readFile(file, 'latin1');
      for (const secret of [token, wrong, basic])
        expect(text.includes(secret), `${file} holds a credential`).toBe(false);
    }
  });
});

describe('git mirrors over SSH with a generated deploy key', skipUnless(sshGitServerAvailability()), () => {
  let sshd: SshGitTestServer;
  const key = generateDeployKey('slipway-repo_ssh');
  const other = generateDeployKey('slipway-repo_other');
  const remote = (privateKey = key.privateKey): GitRemote => ({
    repositoryId: 'repo_ssh',
    url: `${sshd.baseUrl}${upstream}`,
    credential: { kind: 'ssh-key', privateKey },
  });

  beforeAll(async () => {
    sshd = await startSshGitTestServer(join(root, 'sshd'));
    await sshd.authorize([key.publicKey]);
  });
  afterAll(async () => sshd.close());

  it('clones with the key whose public half is authorized, and is refused with another', async () => {
    const rootDir = join(root, 'mirrors-ssh');
    const mirrors = mirrorsUnder(rootDir);
    const result = await mirrors.sync(remote());
    expect(result.heads.find((h) => h.ref === 'refs/heads/main')?.commit).toBe(git(upstream, 'rev-parse', 'main'));
    const heads = await mirrors.listRemoteHeads(remote());
    expect(heads.map((h) => h.ref)).toContain('refs/heads/main');
    const refused = await mirrors
      .sync({ ...remote(other.privateKey), repositoryId: 'repo_other' })
      .catch((e: unknown) => e);
    expect(refused).toMatchObject({ code: 'SOURCE_UNREACHABLE' });
    // The key file lived only for the command: nothing of the private key is left under the mirrors.
    const keyBody = key.privateKey.split('\n')[1] ?? '';
    expect(keyBody.length).toBeGreaterThan(16);
    for (const file of await filesUnder(rootDir)) {
      const text = await readFile(file, 'latin1');
      expect(text.includes(keyBody), `${file} holds the private key`).toBe(false);
    }
  });
});
