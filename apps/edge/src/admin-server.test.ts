import { readFile } from 'node:fs/promises';
import { request } from 'node:http';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { routerStatusSchema, type ErrorBody } from '@slipway/contract';
import {
  echoOf,
  removeDir,
  routeTo,
  send,
  startTestEdge,
  startUpstream,
  type TestUpstream,
} from './edge-test-harness.js';
import { startEdge } from './start-edge.js';

const cleanups: (() => Promise<void>)[] = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

async function upstream(name: string): Promise<TestUpstream> {
  const started = await startUpstream(name);
  cleanups.push(() => started.close());
  return started;
}

describe('the admin API', () => {
  it('persists the table before answering and serves it again after a restart', async () => {
    const app = await upstream('app');
    const first = await startTestEdge();
    cleanups.push(() => removeDir(first.stateDir));
    const table = { routes: [routeTo('persist.test', '/', [app.asUpstream()])] };
    expect((await first.putTable(table)).statusCode).toBe(200);
    expect(JSON.parse(await readFile(join(first.stateDir, 'table.json'), 'utf8'))).toEqual(table);
    await first.close();

    const second = await startTestEdge({ stateDir: first.stateDir });
    cleanups.push(() => second.close());
    const response = await send({ port: second.port, headers: { host: 'persist.test' } });
    expect(echoOf(response).name).toBe('app');
    expect(JSON.parse((await second.admin('GET', '/table')).body)).toEqual(table);
  });

  it('refuses an invalid table with a coded 400 and keeps serving the old one', async () => {
    const app = await upstream('app');
    const edge = await startTestEdge({ table: { routes: [routeTo('keep.test', '/', [app.asUpstream()])] } });
    cleanups.push(async () => {
      await edge.close();
      await removeDir(edge.stateDir);
    });

    const invalid = await edge.putTable({ routes: [{ host: 'x.test', pathPrefix: 'no-slash' }] });
    expect(invalid.statusCode).toBe(400);
    const body = JSON.parse(invalid.body) as ErrorBody;
    expect(body.error.code).toBe('VALIDATION_FAILED');
    expect(body.error.message).toContain('routes.0');
    expect(typeof body.error.requestId).toBe('string');

    const notJson = await edge.putTable('{"routes": [');
    expect(notJson.statusCode).toBe(400);
    expect((JSON.parse(notJson.body) as ErrorBody).error.code).toBe('VALIDATION_FAILED');

    expect(echoOf(await send({ port: edge.port, headers: { host: 'keep.test' } })).name).toBe('app');
    expect((JSON.parse((await edge.admin('GET', '/table')).body) as { routes: unknown[] }).routes).toHaveLength(1);
  });

  it('reports its status: running, pid, address, route count and serving processes', async () => {
    const edge = await startTestEdge({ table: { routes: [routeTo('a.test', '/', []), routeTo('b.test', '/', [])] } });
    cleanups.push(async () => {
      await edge.close();
      await removeDir(edge.stateDir);
    });
    const status = routerStatusSchema.parse(JSON.parse((await edge.admin('GET', '/status')).body));
    expect(status).toEqual({
      isRunning: true,
      pid: process.pid,
      address: `127.0.0.1:${edge.port}`,
      routes: 2,
      workers: 1,
    });
  });

  it('answers an unknown admin route with a coded 404', async () => {
    const edge = await startTestEdge();
    cleanups.push(async () => {
      await edge.close();
      await removeDir(edge.stateDir);
    });
    const response = await edge.admin('DELETE', '/table');
    expect(response.statusCode).toBe(404);
    expect((JSON.parse(response.body) as ErrorBody).error.code).toBe('ROUTE_NOT_FOUND');
  });

  it('refuses a handover with a coded 503 when it runs in-process and keeps serving', async () => {
    const edge = await startTestEdge({ table: { routes: [routeTo('a.test', '/', [])] } });
    cleanups.push(async () => {
      await edge.close();
      await removeDir(edge.stateDir);
    });
    const response = await edge.admin('POST', '/handover');
    expect(response.statusCode).toBe(503);
    expect((JSON.parse(response.body) as ErrorBody).error.code).toBe('UNAVAILABLE');
    expect((await edge.admin('GET', '/status')).statusCode).toBe(200);
  });

  it("refuses a handover request whose body is not the successor's flags with a coded 400", async () => {
    const edge = await startTestEdge();
    cleanups.push(async () => {
      await edge.close();
      await removeDir(edge.stateDir);
    });
    for (const body of ['{"args":"--listen"}', '{"args":[1]}', '{"flags":[]}', 'not json']) {
      const response = await post(join(edge.stateDir, 'admin.sock'), '/handover', body);
      expect(response.statusCode, body).toBe(400);
      expect((JSON.parse(response.body) as ErrorBody).error.code).toBe('VALIDATION_FAILED');
    }
    expect((await edge.admin('GET', '/status')).statusCode).toBe(200);
  });

  it('writes its pid file and removes it with the admin socket on close', async () => {
    const edge = await startTestEdge();
    cleanups.push(() => removeDir(edge.stateDir));
    expect(Number.parseInt(await readFile(join(edge.stateDir, 'edge.pid'), 'utf8'), 10)).toBe(process.pid);
    await edge.close();
    await expect(readFile(join(edge.stateDir, 'edge.pid'), 'utf8')).rejects.toThrow(/ENOENT/);
    await expect(readFile(join(edge.stateDir, 'admin.sock'))).rejects.toThrow(/ENOENT/);
  });

  it('refuses to start a second router on a state directory whose router is alive', async () => {
    const edge = await startTestEdge();
    cleanups.push(async () => {
      await edge.close();
      await removeDir(edge.stateDir);
    });
    await expect(startEdge({ listen: { host: '127.0.0.1', port: 0 }, stateDir: edge.stateDir })).rejects.toMatchObject({
      code: 'PORT_UNAVAILABLE',
    });
  });
});

function post(socketPath: string, path: string, body: string): Promise<{ statusCode: number; body: string }> {
  return new Promise((resolve, reject) => {
    const req = request({ socketPath, method: 'POST', path }, (res) => {
      let text = '';
      res.on('data', (chunk: Buffer) => (text += chunk.toString()));
      res.on('end', () => resolve({ statusCode: res.statusCode ?? 0, body: text }));
    });
    req.on('error', reject);
    req.end(body);
  });
}
