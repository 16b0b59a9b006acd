import { execFileSync } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PassThrough } from 'node:stream';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SlipwayError } from '@slipway/contract';
import { runGitHttpBackend, type GitBackendRequest } from './git-http-backend.js';

describe('runGitHttpBackend, with the real git http-backend', () => {
  let root: string;

  beforeAll(async () => {
    root = await mkdtemp(join(tmpdir(), 'slipway-http-backend-'));
    execFileSync('git', ['init', '-q', '--bare', join(root, 'app.git')]);
  });
  afterAll(() => rm(root, { recursive: true, force: true }));

  const request = (overrides: Partial<GitBackendRequest>): GitBackendRequest => ({
    projectRoot: root,
    pathInfo: '/app.git/info/refs',
    method: 'GET',
    query: 'service=git-upload-pack',
    remoteUser: 'alice',
    remoteAddr: '127.0.0.1',
    timeoutMs: 30_000,
    signal: new AbortController().signal,
    ...overrides,
  });

  const text = async (body: NodeJS.ReadableStream): Promise<string> => {
    let all = '';
    for await (const chunk of body as AsyncIterable<Buffer>) all += chunk.toString('latin1');
    return all;
  };

  it('answers with the CGI status and the headers git needs, and the body after them', async () => {
    const answer = await runGitHttpBackend(request({}));
    expect(answer.status).toBe(200);
    expect(answer.headers['content-type']).toBe('application/x-git-upload-pack-advertisement');
    expect(await text(answer.body)).toMatch(/^001e# service=git-upload-pack\n0000/);
    expect(await answer.succeeded).toBe(true);
  });

  it("passes http-backend's refusal on: a repository that does not exist is 404", async () => {
    const answer = await runGitHttpBackend(request({ pathInfo: '/missing.git/info/refs' }));
    expect(answer.status).toBe(404);
    await text(answer.body);
  });

  it('kills the child at its deadline when the client stops sending (a stalled push never holds it)', async () => {
    const stalled = new PassThrough();
    const outcome = await runGitHttpBackend(
      request({
        method: 'POST',
        pathInfo: '/app.git/git-receive-pack',
        query: '',
        contentType: 'application/x-git-receive-pack-request',
        body: stalled,
        timeoutMs: 300,
      }),
    ).then(
      async (answer) => {
        await text(answer.body);
        return (await answer.succeeded) ? 'succeeded' : 'killed';
      },
      (error: unknown) => (error instanceof SlipwayError ? error.code : 'other'),
    );
    expect(['killed', 'INTERNAL']).toContain(outcome);
  });

  it('kills the child when the request is aborted (the client went away)', async () => {
    const gone = new AbortController();
    const stalled = new PassThrough();
    const running = runGitHttpBackend(
      request({
        method: 'POST',
        pathInfo: '/app.git/git-receive-pack',
        query: '',
        contentType: 'application/x-git-receive-pack-request',
        body: stalled,
        signal: gone.signal,
      }),
    );
    gone.abort();
    const outcome = await running.then(
      async (answer) => ((await answer.succeeded) ? 'succeeded' : 'killed'),
      (error: unknown) => (error instanceof SlipwayError ? error.code : 'other'),
    );
    expect(['killed', 'INTERNAL']).toContain(outcome);
  });
});
