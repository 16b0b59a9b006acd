/**
 * What a user is told before anything runs, end to end through the real CLI and a real slipwayd: a manifest's problems
 * in the user's words (the same lines from `slipway validate` and from a deploy that fails on them), sources checked
 * before a deployment is recorded (a relative `--git` path resolved as `--path` is), and an unknown environment
 * answered with one that works.
 */
import { execFileSync } from 'node:child_process';
import { cp, mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { fixturesDir, SlipwaydHarness } from './slipwayd-harness.js';

/** Every schema problem the manifest checks by meaning rather than by shape. */
const schemaProblems = `proceses:
  web: {}
processes:
  web:
    healthCheck:
      type: tcp
      path: /healthz
  other:
    command: node worker.js
    healthCheck:
      type: htp
env:
  PORT: 3000
`;
const schemaLines = [
  'proceses: unknown key "proceses" (did you mean "processes"?)',
  'processes.web.healthCheck.path: "path" does not belong here: only an http check requests a path; remove it, or use type: http',
  'processes.other.healthCheck.type: unknown type "htp" (did you mean "http"?): use one of http, tcp, exec, none',
  'env.PORT: "PORT" cannot be a key here: it is set by Slipway to the port it assigns each instance: remove it and have the app listen on $PORT (in a container, "port:" in slipway.yaml names the port the program listens on)',
];
const workerWithoutCommand = 'processes:\n  worker:\n    replicas: 1\n';
const workerLine =
  'processes.worker.command: process type "worker" has no command: add "command: …" under processes.worker, or a "worker: …" line to the Procfile';

describe('checks before anything runs', () => {
  let slipwayd: SlipwaydHarness;
  let work: string;

  beforeAll(async () => {
    slipwayd = await SlipwaydHarness.create();
    await slipwayd.start();
    work = await mkdtemp(join(tmpdir(), 'slipway-checks-'));
    expect((await slipwayd.cli(['apps', 'create', 'checked'])).code).toBe(0);
  });

  afterAll(async () => {
    await slipwayd.destroy();
    await rm(work, { recursive: true, force: true });
  });

  /** A copy of hello-node with `manifest` as its slipway.yaml. */
  const appWith = async (name: string, manifest: string): Promise<string> => {
    const dir = join(work, name);
    await cp(join(fixturesDir, 'hello-node'), dir, { recursive: true });
    await writeFile(join(dir, 'slipway.yaml'), manifest);
    return dir;
  };

  it('says a manifest is optional when validate finds none, instead of ENOENT', async () => {
    const empty = join(work, 'empty');
    await mkdir(empty);
    const result = await slipwayd.cli(['validate'], { cwd: empty });
    expect(result).toMatchObject({ code: 0, stderr: '' });
    expect(result.stdout).toBe(
      `no slipway.yaml in ${empty}: nothing to check (a manifest is optional; Slipway detects how to build and run the app)\n`,
    );
  });

  it('prints each manifest problem in the user words, and a deploy failing on it prints the same', async () => {
    const dir = await appWith('schema', schemaProblems);
    const validate = await slipwayd.cli(['validate'], { cwd: dir });
    expect(validate.code).toBe(1);
    expect(validate.stdout.trimEnd().split('\n').sort()).toEqual([...schemaLines].sort());
    expect(validate.stdout).not.toMatch(/Invalid (discriminator|input|option)/);

    const deploy = await slipwayd.cli(['deploy', 'checked', '--path', dir]);
    expect(deploy.code).toBe(1);
    expect(deploy.stdout).toContain('✗ failed in build: MANIFEST_INVALID slipway.yaml is invalid: ');
    for (const line of schemaLines) expect(deploy.stdout).toContain(line);
  });

  it('refuses a process type that nothing gives a command, in validate and in the deploy', async () => {
    const dir = await appWith('worker', workerWithoutCommand);
    const validate = await slipwayd.cli(['validate'], { cwd: dir });
    expect(validate).toMatchObject({ code: 1, stdout: `${workerLine}\n` });

    await writeFile(join(dir, 'Procfile'), 'web: node server.js\nworker: node server.js\n');
    expect(await slipwayd.cli(['validate'], { cwd: dir })).toMatchObject({ code: 0 });
    await rm(join(dir, 'Procfile'));

    const deploy = await slipwayd.cli(['deploy', 'checked', '--path', dir]);
    expect(deploy.code).toBe(1);
    expect(deploy.stdout).toContain(`✗ failed in build: MANIFEST_INVALID slipway.yaml is invalid: ${workerLine}`);
  });

  it('deploys a relative local --git path as --path would, resolved against the current directory', async () => {
    const repo = join(work, 'repo');
    await cp(join(fixturesDir, 'hello-node'), repo, { recursive: true });
    const git = (...args: string[]) =>
      execFileSync('git', ['-c', 'user.name=t', '-c', 'user.email=t@example.com', ...args], { cwd: repo });
    git('init', '-q', '-b', 'main');
    git('add', '.');
    git('commit', '-qm', 'hello');

    const deploy = await slipwayd.cli(['deploy', 'checked', '--git', './repo#main'], { cwd: work });
    expect(deploy.code, deploy.stdout + deploy.stderr).toBe(0);
    expect(deploy.stdout).toContain(`fetching ${repo} at main`);
  });

  it('refuses a git URL it cannot fetch before recording a deployment', async () => {
    const before = (await slipwayd.api.deployments.list('checked', { limit: 100 })).deployments.length;
    await expect(slipwayd.api.deployments.create('checked', { git: { url: 'repo' } })).rejects.toMatchObject({
      code: 'SOURCE_INVALID',
      message: expect.stringContaining(
        'is a relative path, which slipwayd cannot resolve: give an absolute path',
      ) as unknown,
    });
    expect((await slipwayd.api.deployments.list('checked', { limit: 100 })).deployments).toHaveLength(before);
  });

  it('answers an unknown environment with the ones the app has and how to create it', async () => {
    const result = await slipwayd.cli(['config', 'list', 'checked', '-e', 'staging']);
    expect(result.code).toBe(1);
    expect(result.stderr).toBe(
      'error: ENVIRONMENT_NOT_FOUND: app "checked" has no environment "staging" (its environments: production) (create it with: slipway env create checked staging)\n',
    );
  });
});
