import { spawn, type ChildProcessWithoutNullStreams } from 'node:child_process';
import { once } from 'node:events';
import { mkdir, mkdtemp, rm, symlink, writeFile } from 'node:fs/promises';
import { request, type IncomingHttpHeaders } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';

const staticServerPath = fileURLToPath(new URL('../../assets/static-server.mjs', import.meta.url));

let root: string;
let site: string;
const running: ChildProcessWithoutNullStreams[] = [];

beforeAll(async () => {
  root = await mkdtemp(join(tmpdir(), 'slipway-static-'));
  site = join(root, 'site');
  await mkdir(join(site, 'docs'), { recursive: true });
  await mkdir(join(site, 'evil.com'), { recursive: true });
  await mkdir(join(site, 'empty'), { recursive: true });
  await writeFile(join(site, 'index.html'), '<h1>home</h1>');
  await writeFile(join(site, 'style.css'), 'body{}');
  await writeFile(join(site, 'app.js'), 'console.log(1)');
  await writeFile(join(site, 'data.json'), '{}');
  await writeFile(join(site, 'logo.svg'), '<svg/>');
  await writeFile(join(site, 'big.bin'), Buffer.alloc(3 * 1024 * 1024, 7));
  await writeFile(join(site, 'docs', 'index.html'), '<h1>docs</h1>');
  await writeFile(join(site, 'evil.com', 'index.html'), 'x');
  await writeFile(join(site, '.env'), 'SECRET=1');
  await writeFile(join(root, 'secret.txt'), 'outside the site');
  await symlink(join(root, 'secret.txt'), join(site, 'leak.txt'));
});

afterEach(async () => {
  for (const child of running.splice(0)) {
    if (child.exitCode === null) {
      child.kill('SIGKILL');
      await once(child, 'exit');
    }
  }
});

afterAll(async () => {
  await rm(root, { recursive: true, force: true });
});

async function start(args: string[], dir = site) {
  const child = spawn(process.execPath, [staticServerPath, '--dir', dir, ...args], {
    env: { ...process.env, PORT: '0', HOST: '' },
    stdio: 'pipe',
  });
  running.push(child);
  let output = '';
  child.stdout.setEncoding('utf8');
  child.stderr.setEncoding('utf8');
  child.stderr.on('data', (chunk: string) => (output += chunk));
  const port = await new Promise<number>((resolve, reject) => {
    child.stdout.on('data', (chunk: string) => {
      output += chunk;
      const match = /listening on http:\/\/127\.0\.0\.1:(\d+)/.exec(output);
      if (match !== null) resolve(Number(match[1]));
    });
    child.once('exit', () => reject(new Error(`static server exited: ${output}`)));
  });
  return { child, port, output: () => output };
}

interface Reply {
  status: number;
  headers: IncomingHttpHeaders;
  body: string;
}

/** Raw requests: fetch would normalise the `..` these tests need to send. */
function send(
  port: number,
  path: string,
  options: { method?: string; headers?: Record<string, string> } = {},
): Promise<Reply> {
  return new Promise((resolve, reject) => {
    const req = request(
      { host: '127.0.0.1', port, path, method: options.method ?? 'GET', headers: options.headers ?? {}, agent: false },
      (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (chunk: Buffer) => chunks.push(chunk));
        res.on('end', () =>
          resolve({ status: res.statusCode ?? 0, headers: res.headers, body: Buffer.concat(chunks).toString() }),
        );
      },
    );
    req.on('error', reject);
    req.end();
  });
}

describe('the static server', () => {
  it('serves index.html for / with its type, an ETag and Last-Modified', async () => {
    const { port } = await start([]);
    const reply = await send(port, '/');
    expect(reply).toMatchObject({ status: 200, body: '<h1>home</h1>' });
    expect(reply.headers['content-type']).toBe('text/html; charset=utf-8');
    expect(reply.headers['etag']).toMatch(/^W\/".+"$/);
    expect(reply.headers['last-modified']).toBeDefined();
  });

  it('answers 304 to a matching If-None-Match or a later If-Modified-Since', async () => {
    const { port } = await start([]);
    const first = await send(port, '/style.css');
    const byTag = await send(port, '/style.css', { headers: { 'if-none-match': first.headers['etag'] ?? '' } });
    expect(byTag).toMatchObject({ status: 304, body: '' });
    const byDate = await send(port, '/style.css', {
      headers: { 'if-modified-since': first.headers['last-modified'] ?? '' },
    });
    expect(byDate.status).toBe(304);
    const stale = await send(port, '/style.css', { headers: { 'if-none-match': 'W/"other"' } });
    expect(stale.status).toBe(200);
  });

  it('names the content type of common files and streams large ones whole', async () => {
    const { port } = await start([]);
    const types: Record<string, string> = {
      '/style.css': 'text/css; charset=utf-8',
      '/app.js': 'text/javascript; charset=utf-8',
      '/data.json': 'application/json; charset=utf-8',
      '/logo.svg': 'image/svg+xml',
      '/big.bin': 'application/octet-stream',
    };
    for (const [path, type] of Object.entries(types))
      expect((await send(port, path)).headers['content-type'], path).toBe(type);
    const big = await send(port, '/big.bin');
    expect(big.headers['content-length']).toBe(String(3 * 1024 * 1024));
    expect(big.body.length).toBe(3 * 1024 * 1024);
  });

  it('answers HEAD with headers only and other methods with 405', async () => {
    const { port } = await start([]);
    const head = await send(port, '/app.js', { method: 'HEAD' });
    expect(head).toMatchObject({ status: 200, body: '' });
    expect(head.headers['content-length']).toBe('14');
    const post = await send(port, '/', { method: 'POST' });
    expect(post.status).toBe(405);
    expect(post.headers['allow']).toBe('GET, HEAD');
  });

  it('never serves files outside its directory, hidden files or links leading out', async () => {
    const { port } = await start([]);
    for (const path of [
      '/../secret.txt',
      '/%2e%2e/secret.txt',
      '/..%2fsecret.txt',
      '/docs/..%2f..%2fsecret.txt',
      '/leak.txt',
      '/.env',
      '/%2eenv',
    ]) {
      const reply = await send(port, path);
      expect(reply.status, path).toBe(404);
      expect(reply.body, path).not.toContain('outside the site');
    }
    expect((await send(port, '/%E0%A4%A')).status).toBe(400);
  });

  it('never serves a 404.html, 200.html or directory index.html that is a link leading out', async () => {
    const linked = join(root, 'linked');
    await mkdir(join(linked, 'docs'), { recursive: true });
    await symlink(join(root, 'secret.txt'), join(linked, '404.html'));
    await symlink(join(root, 'secret.txt'), join(linked, 'index.html'));
    await symlink(join(root, 'secret.txt'), join(linked, 'docs', 'index.html'));
    const plain = await start([], linked);
    for (const path of ['/', '/docs/', '/missing']) {
      const reply = await send(plain.port, path);
      expect(reply.status, path).toBe(404);
      expect(reply.body, path).toBe('not found\n');
    }
    const spa = await start(['--spa'], linked);
    expect(await send(spa.port, '/app/route')).toMatchObject({ status: 404, body: 'not found\n' });

    const shell = join(root, 'linked-shell');
    await mkdir(shell, { recursive: true });
    await symlink(join(root, 'secret.txt'), join(shell, '200.html'));
    const withShell = await start([], shell);
    expect(await send(withShell.port, '/deep/link')).toMatchObject({ status: 404, body: 'not found\n' });
  });

  it('redirects a directory without its slash to the slash form on the same site, then serves its index', async () => {
    const { port } = await start([]);
    const docs = await send(port, '/docs?x=1');
    expect(docs).toMatchObject({ status: 301, headers: { location: '/docs/?x=1' } });
    expect((await send(port, '/docs/')).body).toBe('<h1>docs</h1>');
    expect((await send(port, '//evil.com')).headers['location']).toBe('/evil.com/');
  });

  it('answers 404 for unknown paths, or the app shell with --spa or a 200.html', async () => {
    const plain = await start([]);
    expect((await send(plain.port, '/missing')).status).toBe(404);
    expect((await send(plain.port, '/empty/')).status).toBe(404);

    const spa = await start(['--spa']);
    expect(await send(spa.port, '/app/route/42')).toMatchObject({ status: 200, body: '<h1>home</h1>' });

    const withShell = join(root, 'shell');
    await mkdir(withShell, { recursive: true });
    await writeFile(join(withShell, '200.html'), '<div id="app"></div>');
    const shell = await start([], withShell);
    expect(await send(shell.port, '/deep/link')).toMatchObject({ status: 200, body: '<div id="app"></div>' });
  });

  it('logs one line per request and exits 0 on SIGTERM', async () => {
    const { child, port, output } = await start([]);
    await send(port, '/style.css');
    for (let attempt = 0; attempt < 50 && !output().includes('GET /style.css 200'); attempt += 1)
      await new Promise((resolve) => setTimeout(resolve, 20));
    expect(output()).toContain('GET /style.css 200');
    child.kill('SIGTERM');
    const [code] = (await once(child, 'exit')) as [number | null];
    expect(code).toBe(0);
  });
});
