/**
 * What a catalog write's acknowledgement promises, against a real slipwayd: every KV write answered `true` to one of
 * 50 concurrent clients is there after slipwayd is killed with SIGKILL right after the last answer and started again,
 * and the catalog's index has not gone back. (A kill loses what was not yet written out of the process; that a commit is
 * also fsynced before it resolves, which a power cut needs, is shown by the store's own strace test.)
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SlipwaydHarness } from './slipwayd-harness.js';

const clients = 50;
const writesPerClient = 10;

describe('catalog durability of a real slipwayd', () => {
  let slipwayd: SlipwaydHarness;
  let admin = '';

  const call = (path: string, init: RequestInit = {}): Promise<Response> =>
    fetch(`http://127.0.0.1:${slipwayd.catalogPort}${path}`, {
      ...init,
      headers: { 'x-consul-token': admin },
      signal: AbortSignal.timeout(30_000),
    });
  const indexOf = (response: Response): number => Number(response.headers.get('x-consul-index'));

  beforeAll(async () => {
    slipwayd = await SlipwaydHarness.create();
    await slipwayd.start();
    admin = (await slipwayd.adminToken()) ?? '';
  }, 60_000);

  afterAll(async () => {
    await slipwayd.destroy();
  });

  it('keeps every acknowledged write of 50 concurrent clients across a SIGKILL', async () => {
    const acknowledged: string[] = [];
    await Promise.all(
      Array.from({ length: clients }, async (_, client) => {
        for (let write = 0; write < writesPerClient; write += 1) {
          const key = `durable/${client}/${write}`;
          const response = await call(`/v1/kv/${key}`, { method: 'PUT', body: `value ${client}.${write}` });
          expect(response.status).toBe(200);
          expect(await response.text()).toBe('true');
          acknowledged.push(key);
        }
      }),
    );
    const indexBefore = indexOf(await call('/v1/kv/durable/?keys'));
    await slipwayd.kill('SIGKILL');

    await slipwayd.start();
    const keys = (await (await call('/v1/kv/durable/?keys')).json()) as string[];
    expect(keys.sort()).toEqual([...acknowledged].sort());
    expect(acknowledged).toHaveLength(clients * writesPerClient);
    const last = await call(`/v1/kv/durable/${clients - 1}/${writesPerClient - 1}?raw`);
    expect(await last.text()).toBe(`value ${clients - 1}.${writesPerClient - 1}`);
    expect(indexOf(last)).toBeGreaterThanOrEqual(1);
    const listed = await call('/v1/kv/durable/?keys');
    expect(indexOf(listed)).toBeGreaterThanOrEqual(indexBefore);
  }, 120_000);
});
