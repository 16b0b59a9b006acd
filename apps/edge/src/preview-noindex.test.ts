/** A pull-request preview's route, through a real edge router: every answer of its upstream says `noindex`. */
import { afterEach, describe, expect, it } from 'vitest';
import {
  removeDir,
  routeTo,
  send,
  startTestEdge,
  startUpstream,
  type TestEdge,
  type TestUpstream,
} from './edge-test-harness.js';

describe("a preview's route", () => {
  let edge: TestEdge | undefined;
  let upstream: TestUpstream | undefined;

  afterEach(async () => {
    await edge?.close();
    await upstream?.close();
    if (edge !== undefined) await removeDir(edge.stateDir);
  });

  it('adds X-Robots-Tag: noindex to the responses of a preview route, and to no other route', async () => {
    upstream = await startUpstream('app');
    const preview = { ...routeTo('pr-7.shop.test', '/', [upstream.asUpstream()]), isNoindex: true };
    const production = routeTo('shop.test', '/', [upstream.asUpstream()]);
    edge = await startTestEdge({ table: { routes: [preview, production] } });

    const previewAnswer = await send({ port: edge.port, headers: { host: 'pr-7.shop.test' } });
    const productionAnswer = await send({ port: edge.port, headers: { host: 'shop.test' } });

    expect(previewAnswer.statusCode).toBe(200);
    expect(previewAnswer.headers['x-robots-tag']).toBe('noindex');
    expect(productionAnswer.statusCode).toBe(200);
    expect(productionAnswer.headers['x-robots-tag']).toBeUndefined();
  });
});
