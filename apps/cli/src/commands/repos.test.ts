import { Readable } from 'node:stream';
import { afterEach, describe, expect, it } from 'vitest';
import type { RepositoryView } from '@slipway/contract';
import { startCannedApiServer } from '../canned-api-server.js';
import type { CannedApiServer } from '../canned-api-server.js';
import { createCapturedIo } from '../captured-io.js';
import { createProgram } from '../program.js';

let server: CannedApiServer;
afterEach(() => server.close());

const token = 'glpat-token-from-a-pipe';
const sshRepository: RepositoryView = {
  id: 'repo_01',
  project: 'acme',
  name: 'api',
  provider: 'github',
  url: 'git@github.com:acme/api.git',
  auth: 'ssh-key',
  publicKey: 'ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIExample slipway-repo_01',
  createdAt: '2026-01-02T03:04:05.000Z',
  updatedAt: '2026-01-02T03:04:05.000Z',
};
const tokenRepository: RepositoryView = {
  ...sshRepository,
  id: 'repo_02',
  name: 'web',
  provider: 'gitlab',
  url: 'https://gitlab.com/acme/web.git',
  auth: 'token',
  publicKey: null,
};

async function run(args: string[], stdin?: NodeJS.ReadableStream & { isTTY?: boolean }) {
  const captured = createCapturedIo({ env: { SLIPWAY_API_URL: server.url }, stdin });
  const code = await createProgram(captured.io).run(args);
  return { code, stdout: captured.stdout(), stderr: captured.stderr() };
}

const bodyOf = (index: number): unknown => JSON.parse(server.requests[index]?.body.toString() ?? '');

describe('slipway repos', () => {
  it('adds an ssh repository and prints the deploy key to add on the host', async () => {
    server = await startCannedApiServer({
      'POST /api/v1/projects/acme/repositories': { status: 201, json: sshRepository },
    });
    const { code, stdout } = await run(['repos', 'add', 'api', 'git@github.com:acme/api.git', '--project', 'acme']);
    expect(code).toBe(0);
    expect(bodyOf(0)).toEqual({ name: 'api', url: 'git@github.com:acme/api.git' });
    expect(stdout).toContain(`deploy key (public half): ${sshRepository.publicKey ?? ''}`);
    expect(stdout).toContain('read-only deploy key');
  });

  it('reads a token from stdin, so it is never on the command line nor printed', async () => {
    server = await startCannedApiServer({
      'POST /api/v1/projects/default/repositories': { status: 201, json: tokenRepository },
    });
    const { code, stdout, stderr } = await run(
      ['repos', 'add', 'web', 'https://gitlab.com/acme/web.git', '--token-stdin', '--provider', 'gitlab'],
      Readable.from([`${token}\n`]),
    );
    expect(code).toBe(0);
    expect(bodyOf(0)).toEqual({
      name: 'web',
      url: 'https://gitlab.com/acme/web.git',
      provider: 'gitlab',
      auth: { kind: 'token', token },
    });
    expect(stdout + stderr).not.toContain(token);
  });

  it('lists, shows and removes repositories of a project', async () => {
    server = await startCannedApiServer({
      'GET /api/v1/projects/acme/repositories': { json: { repositories: [sshRepository, tokenRepository] } },
      'GET /api/v1/projects/acme/repositories/web': { json: tokenRepository },
      'DELETE /api/v1/projects/acme/repositories/web': { status: 204 },
    });
    const listed = await run(['repos', 'list', '--project', 'acme']);
    expect(listed.stdout.split('\n')[0]).toMatch(/^NAME\s+ID\s+PROVIDER\s+AUTH\s+URL$/);
    expect(listed.stdout).toMatch(/web\s+repo_02\s+gitlab\s+token\s+https:\/\/gitlab.com\/acme\/web.git/);
    expect((await run(['repos', 'show', 'web', '--project', 'acme'])).stdout).toContain('auth:     token');
    const removed = await run(['repos', 'remove', 'web', '--project', 'acme']);
    expect(removed.code).toBe(0);
    expect(removed.stdout).toContain('removed repository web');
  });

  it('refuses --token-stdin with --public before calling the API', async () => {
    server = await startCannedApiServer({});
    const { code, stderr } = await run(['repos', 'add', 'x', 'https://h.example/x.git', '--token-stdin', '--public']);
    expect(code).not.toBe(0);
    expect(stderr).toContain('--token-stdin and --public');
    expect(server.requests).toEqual([]);
  });
});
