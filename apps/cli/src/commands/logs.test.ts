import { afterEach, describe, expect, it } from 'vitest';
import type { LogLineView } from '@slipway/contract';
import { startCannedApiServer } from '../canned-api-server.js';
import type { CannedApiServer } from '../canned-api-server.js';
import { createCapturedIo } from '../captured-io.js';
import { createProgram } from '../program.js';

let server: CannedApiServer;
afterEach(() => server.close());

const line = (text: string, stream: LogLineView['stream'] = 'stdout'): LogLineView => ({
  instanceId: 'inst_1',
  process: 'web',
  stream,
  line: text,
  time: '2026-12-06T10:00:00.000Z',
});

describe('slipway logs', () => {
  it('prints the recent lines prefixed by time, process and instance, asking for the tail and process given', async () => {
    server = await startCannedApiServer({
      'GET /api/v1/apps/web/logs': { json: { lines: [line('listening'), line('oops', 'stderr')] } },
    });
    const captured = createCapturedIo({ env: { SLIPWAY_API_URL: server.url } });
    expect(await createProgram(captured.io).run(['logs', 'web', '-n', '20', '--process', 'web'])).toBe(0);
    expect(captured.stdout()).toBe(
      '2026-12-06T10:00:00.000Z web[inst_1] listening\n2026-12-06T10:00:00.000Z web[inst_1] oops\n',
    );
    const query = server.requests[0]?.query;
    expect([query?.get('tail'), query?.get('process'), query?.get('follow')]).toEqual(['20', 'web', 'false']);
  });

  it('follows new lines as JSON lines until interrupted', async () => {
    const controller = new AbortController();
    server = await startCannedApiServer({
      'GET /api/v1/apps/web/logs': (_, res) => {
        res.writeHead(200, { 'content-type': 'text/event-stream' });
        res.write(`event: log\ndata: ${JSON.stringify(line('one'))}\n\n`);
        res.write(`event: log\ndata: ${JSON.stringify(line('two'))}\n\n`);
        setTimeout(() => controller.abort(), 50);
      },
    });
    const captured = createCapturedIo({ env: { SLIPWAY_API_URL: server.url }, signal: controller.signal });
    expect(await createProgram(captured.io).run(['logs', 'web', '-f', '--json'])).toBe(0);
    expect(
      captured
        .stdout()
        .trimEnd()
        .split('\n')
        .map((l) => JSON.parse(l) as unknown),
    ).toEqual([line('one'), line('two')]);
  });

  it('rejects a tail that is not a whole number with exit 2', async () => {
    server = await startCannedApiServer({});
    const captured = createCapturedIo({ env: { SLIPWAY_API_URL: server.url } });
    expect(await createProgram(captured.io).run(['logs', 'web', '-n', 'lots'])).toBe(2);
    expect(server.requests).toHaveLength(0);
  });
});
