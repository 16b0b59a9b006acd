/**
 * Upstream connections read into one shared buffer: every byte a client gets must be the byte its upstream sent,
 * whatever else was read meanwhile. Two upstreams fill bodies of every size (fixed length and chunked) with their
 * own byte, clients read them concurrently, some slowly (their writes back up and keep what they were given).
 */
import { request } from 'node:http';
import { afterEach, describe, expect, it } from 'vitest';
import { routeTo, startTestEdge, startUpstream, type TestEdge, type TestUpstream } from './edge-test-harness.js';

const sizes = [1, 13, 1_000, 16_384, 16_385, 65_536, 70_000, 300_000, 8 * 1024 * 1024];
const opened: Array<TestEdge | TestUpstream> = [];

afterEach(async () => {
  await Promise.all(opened.splice(0).map((item) => item.close()));
});

async function fillingUpstream(name: string, fill: number): Promise<TestUpstream> {
  const app = await startUpstream(name, (req, res) => {
    const url = new URL(req.url ?? '/', 'http://x');
    const size = Number(url.searchParams.get('size'));
    const body = Buffer.alloc(size, fill);
    if (url.searchParams.has('chunked')) {
      res.writeHead(200, { 'content-type': 'application/octet-stream' });
      // Several writes: several chunks, each its own read on the router's side when the network splits them.
      for (let at = 0; at < size; at += 10_000) res.write(body.subarray(at, at + 10_000));
      res.end();
    } else {
      res.writeHead(200, { 'content-type': 'application/octet-stream', 'content-length': String(size) });
      res.end(body);
    }
  });
  opened.push(app);
  return app;
}

/** Fetches through the edge; a slow reader pauses after its first piece so the edge's writes back up. */
function fetchBody(port: number, host: string, path: string, isSlow: boolean): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const req = request({ host: '127.0.0.1', port, path, headers: { host }, agent: false }, (res) => {
      const chunks: Buffer[] = [];
      let isFirst = true;
      res.on('data', (chunk: Buffer) => {
        chunks.push(chunk);
        if (isSlow && isFirst) {
          isFirst = false;
          res.pause();
          setTimeout(() => res.resume(), 150);
        }
      });
      res.on('end', () => resolve(Buffer.concat(chunks)));
      res.on('error', reject);
    });
    req.on('error', reject);
    req.end();
  });
}

function isFilledWith(body: Buffer, fill: number): boolean {
  for (const byte of body) if (byte !== fill) return false;
  return true;
}

describe('the shared upstream read buffer', () => {
  it('delivers every body intact to concurrent fast and slow clients of two upstreams', async () => {
    const a = await fillingUpstream('fill-a', 0x61);
    const b = await fillingUpstream('fill-b', 0x62);
    const edge = await startTestEdge({
      table: { routes: [routeTo('a.test', '/', [a.asUpstream()]), routeTo('b.test', '/', [b.asUpstream()])] },
    });
    opened.push(edge);
    const cases = sizes.flatMap((size) =>
      ['', '&chunked'].flatMap((mode) =>
        [false, true].flatMap((isSlow) => [
          { host: 'a.test', fill: 0x61, size, path: `/?size=${size}${mode}`, isSlow },
          { host: 'b.test', fill: 0x62, size, path: `/?size=${size}${mode}`, isSlow },
        ]),
      ),
    );
    const bodies = await Promise.all(cases.map((c) => fetchBody(edge.port, c.host, c.path, c.isSlow)));
    const wrong = cases.filter((c, i) => {
      const body = bodies[i] ?? Buffer.alloc(0);
      return body.length !== c.size || !isFilledWith(body, c.fill);
    });
    expect(wrong).toEqual([]);
  });
});
