/**
 * The catalog commands of the real CLI against a real slipwayd: it finds the catalog through slipwayd's system info
 * and sends its own token; KV with CAS, flags, watches, export and import; services; snapshots; templates rendered
 * once and watched with a debounced reload command.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtemp, readFile, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { waitFor } from '@slipway/testkit';
import { createUser, loginAs } from './identity-fixtures.js';
import { repoRoot, SlipwaydHarness } from './slipwayd-harness.js';

const cliEntry = join(repoRoot, 'apps', 'cli', 'dist', 'slipway.mjs');

interface Follower {
  child: ChildProcess;
  stdout: () => string;
  stderr: () => string;
  /** Ctrl-C, then the exit code. */
  stop(): Promise<number | null>;
}

// Each step runs the real CLI as a process (about a second each on a busy 2-core host): minutes, not the default one.
describe('the catalog commands of the CLI', { timeout: 180_000 }, () => {
  let slipwayd: SlipwaydHarness;
  let scratch: string;
  const followers: Follower[] = [];

  const follow = (args: readonly string[]): Follower => {
    const child = spawn(process.execPath, [cliEntry, ...args], {
      cwd: scratch,
      env: { ...process.env, ...slipwayd.cliEnv() },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    child.stdout?.on('data', (c: Buffer) => (stdout += c.toString()));
    child.stderr?.on('data', (c: Buffer) => (stderr += c.toString()));
    const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
    const follower: Follower = {
      child,
      stdout: () => stdout,
      stderr: () => stderr,
      stop: async () => {
        if (child.exitCode === null) child.kill('SIGINT');
        return exited;
      },
    };
    followers.push(follower);
    return follower;
  };

  const cli = (args: readonly string[], input?: string) =>
    slipwayd.cli(args, { cwd: scratch, ...(input === undefined ? {} : { input }) });

  const catalogFetch = async (path: string, init: RequestInit = {}) => {
    const token = await slipwayd.adminToken();
    return fetch(`http://127.0.0.1:${slipwayd.catalogPort}${path}`, {
      ...init,
      headers: { 'x-consul-token': token ?? '' },
    });
  };

  beforeAll(async () => {
    slipwayd = await SlipwaydHarness.create();
    await slipwayd.start();
    scratch = await mkdtemp(join(tmpdir(), 'slipway-cli-catalog-'));
  });

  afterAll(async () => {
    for (const follower of followers) await follower.stop();
    await slipwayd.destroy();
    await rm(scratch, { recursive: true, force: true });
  });

  it('puts, gets, lists and deletes keys with CAS and flags, finding the catalog through slipwayd', async () => {
    expect(await cli(['kv', 'put', 'app/db/host', 'db.internal'])).toMatchObject({
      code: 0,
      stdout: 'set app/db/host\n',
    });
    expect((await cli(['kv', 'put', 'app/db/port', '-', '--flags', '42'], '5432')).code).toBe(0);
    expect(await cli(['kv', 'get', 'app/db/host'])).toMatchObject({ code: 0, stdout: 'db.internal\n' });
    expect((await cli(['kv', 'get', '--recurse', 'app/'])).stdout).toBe('app/db/host:db.internal\napp/db/port:5432\n');
    expect((await cli(['kv', 'list', 'app/', '--separator', '/'])).stdout).toBe('app/db/\n');

    const detailed = JSON.parse((await cli(['kv', 'get', 'app/db/port', '--json'])).stdout) as Array<{
      flags: number;
      modifyIndex: number;
    }>;
    expect(detailed).toHaveLength(1);
    expect(detailed[0]?.flags).toBe(42);
    const index = detailed[0]?.modifyIndex ?? 0;

    const refused = await cli(['kv', 'put', 'app/db/port', '6543', '--cas', String(index + 1000)]);
    expect(refused.code).toBe(1);
    expect(refused.stderr).toContain(`not set: "app/db/port" is no longer at modify index ${index + 1000}`);
    expect((await cli(['kv', 'put', 'app/db/port', '6543', '--cas', '0'])).stderr).toContain('already exists');
    expect((await cli(['kv', 'put', 'app/db/port', '6543', '--cas', String(index)])).code).toBe(0);
    expect((await cli(['kv', 'get', 'app/db/port'])).stdout).toBe('6543\n');

    const missing = await cli(['kv', 'get', 'app/nope']);
    expect(missing).toMatchObject({ code: 1, stderr: 'no key "app/nope"\n' });
    expect((await cli(['kv', 'delete', 'app/db/port'])).code).toBe(0);
    expect((await cli(['kv', 'list', 'app/'])).stdout).toBe('app/db/host\n');
  });

  it('refuses bad input before sending anything, and names an unreachable catalog', async () => {
    const usage = await cli(['kv', 'put', 'k', 'v', '--cas', 'abc']);
    expect(usage.code).toBe(2);
    expect(usage.stderr).toContain('--cas must be a whole number');
    const traversal = await cli(['kv', 'put', '/abs', 'v']);
    expect(traversal.stderr).toContain('a key cannot start with "/"');
    const down = await slipwayd.cli(['kv', 'get', 'k', '--catalog-addr', '127.0.0.1:1'], { cwd: scratch });
    expect(down.code).toBe(1);
    expect(down.stderr).toContain('error: UNAVAILABLE: the catalog at http://127.0.0.1:1 cannot be reached');
  });

  it('exports keys in Consul format and imports them, writing nothing from an invalid file', async () => {
    await cli(['kv', 'put', 'export/a', 'one']);
    await cli(['kv', 'put', 'export/b/c', '']);
    expect((await cli(['kv', 'export', 'export/', '-o', 'keys.json'])).code).toBe(0);
    const exported = JSON.parse(await readFile(join(scratch, 'keys.json'), 'utf8')) as unknown;
    expect(exported).toEqual([
      { key: 'export/a', flags: 0, value: Buffer.from('one').toString('base64') },
      { key: 'export/b/c', flags: 0, value: '' },
    ]);
    expect((await stat(join(scratch, 'keys.json'))).mode & 0o777).toBe(0o600);

    expect(await cli(['kv', 'import', 'keys.json', '--prefix', 'copy/'])).toMatchObject({
      code: 0,
      stdout: 'imported 2 keys\n',
    });
    expect((await cli(['kv', 'get', 'copy/export/a'])).stdout).toBe('one\n');

    const invalid = JSON.stringify([
      { key: 'bad/first', flags: 0, value: '' },
      { key: 'bad/../x', flags: 0, value: 'not base64!' },
    ]);
    const refused = await cli(['kv', 'import', '-'], invalid);
    expect(refused.code).toBe(1);
    expect(refused.stderr).toContain('error: VALIDATION_FAILED: KV export is invalid');
    expect((await cli(['kv', 'get', 'bad/first'])).code).toBe(1);
  });

  it('lists services and their instances with health', async () => {
    const registered = await catalogFetch('/v1/agent/service/register', {
      method: 'PUT',
      body: JSON.stringify({
        Name: 'billing',
        ID: 'billing-1',
        Address: '10.0.0.7',
        Port: 9090,
        Tags: ['production'],
        Check: { TTL: '10m', Status: 'passing' },
      }),
    });
    expect(registered.status).toBe(200);
    const services = await cli(['catalog', 'services']);
    expect(services.code, services.stderr).toBe(0);
    expect(services.stdout).toMatch(/^billing\s+production$/m);
    const instances = await cli(['catalog', 'service', 'billing']);
    expect(instances.stdout).toMatch(/^billing-1\s+10\.0\.0\.7:9090\s+passing\s+production\s+e2e$/m);
    expect((await cli(['catalog', 'service', 'billing', '--tag', 'staging'])).stderr).toBe(
      'no instances of "billing"\n',
    );
  });

  it('saves a snapshot atomically and restores the catalog from it', async () => {
    await cli(['kv', 'put', 'snap/kept', 'before']);
    const saved = await cli(['catalog', 'snapshot', 'save', 'catalog.snap']);
    expect(saved.code, saved.stderr).toBe(0);
    expect(saved.stdout).toMatch(/^saved the catalog at index \d+: \d+ keys/);
    expect((await stat(join(scratch, 'catalog.snap'))).mode & 0o777).toBe(0o600);

    await cli(['kv', 'put', 'snap/kept', 'after']);
    await cli(['kv', 'put', 'snap/new', 'x']);
    const restored = await cli(['catalog', 'snapshot', 'restore', 'catalog.snap']);
    expect(restored.code, restored.stderr).toBe(0);
    expect((await cli(['kv', 'get', 'snap/kept'])).stdout).toBe('before\n');
    expect((await cli(['kv', 'get', 'snap/new'])).code).toBe(1);

    await writeFile(join(scratch, 'broken.snap'), '{"format":"slipway-catalog-snapshot","version":1}');
    const broken = await cli(['catalog', 'snapshot', 'restore', 'broken.snap']);
    expect(broken.code).toBe(1);
    expect(broken.stderr).toContain('error: CATALOG_SNAPSHOT_INVALID');
    expect((await cli(['kv', 'get', 'snap/kept'])).stdout).toBe('before\n');
  });

  it('renders a template once, and says where a template is wrong', async () => {
    await cli(['kv', 'put', 'web/title', 'Shop']);
    await writeFile(
      join(scratch, 'page.tmpl'),
      '{{ key "web/title" }}\n{{- range service "billing" }}\n{{ .ID }} {{ .Address }}:{{ .Port }} {{ .Tags | join "," }}\n{{- end }}\n',
    );
    const rendered = await cli(['template', 'render', 'page.tmpl']);
    expect(rendered).toMatchObject({ code: 0, stdout: 'Shop\nbilling-1 10.0.0.7:9090 production\n' });
    await writeFile(join(scratch, 'wrong.tmpl'), 'ok\n{{ range service "billing" }}{{ .Prot }}{{ end }}');
    const wrong = await cli(['template', 'render', 'wrong.tmpl']);
    expect(wrong.code).toBe(1);
    expect(wrong.stderr).toMatch(/^error: VALIDATION_FAILED: wrong\.tmpl:2:33: can't evaluate field Prot/);
  });

  it('watches a template: waits for a missing key, re-renders on change and runs the reload after each write', async () => {
    await writeFile(join(scratch, 'conf.tmpl'), 'limit={{ key "watch/limit" }}\n');
    const watch = follow([
      'template',
      'watch',
      'conf.tmpl',
      '-o',
      'conf.out',
      '--wait',
      '200ms:5s',
      '--exec',
      'cat conf.out >> reloads.log',
    ]);
    await waitFor(
      () => expect(watch.stderr()).toContain('waiting: conf.tmpl:1:10: key: "watch/limit" does not exist'),
      {
        timeoutMs: 20_000,
      },
    );
    await cli(['kv', 'put', 'watch/limit', '1']);
    const reloads = () => readFile(join(scratch, 'reloads.log'), 'utf8').catch(() => '');
    await waitFor(async () => expect(await reloads()).toBe('limit=1\n'), { timeoutMs: 20_000 });

    // A burst of changes ends in the last one; the reload reads the file already written.
    for (let limit = 2; limit <= 5; limit += 1) await cli(['kv', 'put', 'watch/limit', String(limit)]);
    await waitFor(async () => expect((await reloads()).split('\n').at(-2)).toBe('limit=5'), { timeoutMs: 20_000 });
    expect(await readFile(join(scratch, 'conf.out'), 'utf8')).toBe('limit=5\n');
    const lines = (await reloads()).trimEnd().split('\n');
    expect(lines.length).toBeLessThanOrEqual(5);
    expect(lines.every((line) => /^limit=[1-5]$/.test(line))).toBe(true);

    // A write that changes nothing the template reads renders nothing new and runs no reload.
    await cli(['kv', 'put', 'watch/other', 'x']);
    await cli(['kv', 'put', 'watch/limit', '5']);
    await cli(['kv', 'put', 'watch/limit', '6']);
    await waitFor(async () => expect((await reloads()).split('\n').at(-2)).toBe('limit=6'), { timeoutMs: 20_000 });
    expect((await reloads()).trimEnd().split('\n')).toHaveLength(lines.length + 1);
    expect(await watch.stop()).toBe(0);
  });

  it("sends the CLI's own token: a user's token reads what a rule grants and is refused the rest", async () => {
    await createUser(slipwayd, 'carol');
    const { client } = await loginAs(slipwayd, 'carol');
    const created = await client.tokens.create({ name: 'carol-catalog' });
    expect(
      (await cli(['catalog', 'acl', 'grant', 'read', '--token-id', created.token.id, '--key', 'shared/'])).code,
    ).toBe(0);
    await cli(['kv', 'put', 'shared/motd', 'hello']);
    await cli(['kv', 'put', 'private/motd', 'secret']);

    const asCarol = (args: readonly string[]) => cli(['--token', created.secret, ...args]);
    expect(await asCarol(['kv', 'get', 'shared/motd'])).toMatchObject({ code: 0, stdout: 'hello\n' });
    const write = await asCarol(['kv', 'put', 'shared/motd', 'changed']);
    expect(write.code).toBe(1);
    expect(write.stderr).toContain('error: CATALOG_PERMISSION_DENIED: the catalog refused /v1/kv/shared/motd: 403');
    expect(write.stderr).not.toContain(created.secret);
    const read = await asCarol(['kv', 'get', 'private/motd']);
    expect(read.code).toBe(1);
    expect(read.stderr).toContain('error: CATALOG_PERMISSION_DENIED');
    expect((await cli(['kv', 'get', 'shared/motd'])).stdout).toBe('hello\n');
  });

  it('follows a key with kv get --watch until interrupted', async () => {
    await cli(['kv', 'put', 'follow/me', 'a']);
    const follower = follow(['kv', 'get', 'follow/me', '--watch']);
    await waitFor(() => expect(follower.stdout()).toBe('a\n'), { timeoutMs: 20_000 });
    await cli(['kv', 'put', 'follow/me', 'b']);
    await waitFor(() => expect(follower.stdout()).toBe('a\nb\n'), { timeoutMs: 20_000 });
    await cli(['kv', 'delete', 'follow/me']);
    await waitFor(() => expect(follower.stderr()).toContain('no key "follow/me"'), { timeoutMs: 20_000 });
    expect(await follower.stop()).toBe(0);
  });
});
