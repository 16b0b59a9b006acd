import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import {
  readDeploymentEvents,
  createApp,
  getDeploymentView,
  listDeployments,
  requestDeployment,
  redactGitUrl,
  splitGitCredentials,
} from '@slipway/core';
import { createCoreHarness, type CoreHarness } from './core-harness.js';

const sentinel = 'sentinel-7d41e0a9c2';

describe('credentials in git URLs', () => {
  it('are split off an http(s) URL, percent-decoded, and kept out of what is left', () => {
    expect(splitGitCredentials(`https://bot:${sentinel}@git.example.com/repo.git`)).toEqual({
      url: 'https://git.example.com/repo.git',
      credentials: { username: 'bot', password: sentinel },
    });
    expect(splitGitCredentials(`http://${sentinel}@127.0.0.1:8080/a/b?x=1`)).toEqual({
      url: 'http://127.0.0.1:8080/a/b?x=1',
      credentials: { username: sentinel, password: '' },
    });
    expect(splitGitCredentials('https://u:p%40ss%2Fw@h.example/r')).toEqual({
      url: 'https://h.example/r',
      credentials: { username: 'u', password: 'p@ss/w' },
    });
    expect(splitGitCredentials('https://git.example.com/repo.git')).toEqual({
      url: 'https://git.example.com/repo.git',
    });
    expect(splitGitCredentials('ssh://git@git.example.com/repo.git')).toEqual({
      url: 'ssh://git@git.example.com/repo.git',
    });
    expect(splitGitCredentials('git@github.com:acme/repo.git')).toEqual({ url: 'git@github.com:acme/repo.git' });
  });

  it('are refused, unquoted, as a password of another scheme', () => {
    const attempt = () => splitGitCredentials(`ssh://git:${sentinel}@git.example.com/repo.git`);
    expect(attempt).toThrow(expect.objectContaining({ code: 'SOURCE_INVALID' }) as Error);
    expect(() => attempt()).not.toThrow(sentinel);
  });

  it('are redacted from a URL shown from an older record, user name included', () => {
    expect(redactGitUrl(`https://bot:${sentinel}@git.example.com/r.git`)).toBe('https://git.example.com/r.git');
    expect(redactGitUrl(`https://${sentinel}:***@git.example.com/r.git`)).toBe('https://git.example.com/r.git');
    expect(redactGitUrl('ssh://git@git.example.com/r.git')).toBe('ssh://git@git.example.com/r.git');
  });
});

describe('a deployment from a git URL with credentials', () => {
  let harness: CoreHarness;

  beforeEach(async () => {
    harness = await createCoreHarness();
    await createApp(harness.deps, { name: 'web', project: 'default' });
  });

  afterEach(async () => {
    await harness.close();
  });

  it('stores the URL without them and them only sealed, while pending and once failed, and shows them nowhere', async () => {
    const url = `https://bot:${sentinel}@127.0.0.1:1/repo.git`;
    const view = await requestDeployment(harness.deps, {
      app: 'web',
      environment: 'production',
      source: { kind: 'git', url, ref: 'main' },
    });
    const pending = await harness.store.deployments.findById(view.id);
    expect(pending?.source).toMatchObject({ kind: 'git', url: 'https://127.0.0.1:1/repo.git', ref: 'main' });
    expect(pending?.source).toHaveProperty('sealedCredentials.ciphertext');
    const shownPending = JSON.stringify([view, pending, await getDeploymentView(harness.deps, view.id)]);
    expect(shownPending).not.toContain(sentinel);

    const failed = await harness.runToEnd(view.id);
    expect(failed.failure).toMatchObject({ phase: 'fetch', code: 'SOURCE_UNREACHABLE' });
    const shownFailed = JSON.stringify([
      failed,
      await listDeployments(harness.deps, { app: 'web', environment: 'production', limit: 10 }),
      await readDeploymentEvents(harness.deps, view.id, 0),
      await harness.store.phases.list(view.id),
    ]);
    expect(shownFailed).not.toContain(sentinel);
    expect(shownFailed).not.toContain(Buffer.from(`bot:${sentinel}`).toString('base64'));
  });
});
