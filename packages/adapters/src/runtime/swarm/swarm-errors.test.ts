import { describe, expect, it } from 'vitest';
import { swarmError } from './swarm-errors.js';

/** An engine refusal as docker-modem shapes it. */
const refusal = (statusCode: number, message: string) =>
  Object.assign(new Error(`(HTTP code ${statusCode}) unexpected - ${message}`), { statusCode, json: { message } });

describe('swarmError', () => {
  it('makes an engine that is no swarm manager RUNTIME_UNAVAILABLE, saying how to fix it', () => {
    const error = swarmError(
      refusal(
        503,
        'This node is not a swarm manager. Use "docker swarm init" or "docker swarm join" to connect this node to swarm and try again.',
      ),
      'listing swarm services',
    );

    expect(error).toMatchObject({
      code: 'RUNTIME_UNAVAILABLE',
      message: expect.stringContaining('docker swarm init') as unknown,
    });
  });

  it('makes an engine that does not answer RUNTIME_UNAVAILABLE, and other refusals RUNTIME_ERROR', () => {
    const unreachable = Object.assign(new Error('connect ENOENT /var/run/docker.sock'), { code: 'ENOENT' });

    expect(swarmError(unreachable, 'listing swarm services').code).toBe('RUNTIME_UNAVAILABLE');
    expect(swarmError(refusal(500, 'rpc error: something'), 'listing swarm services')).toMatchObject({
      code: 'RUNTIME_ERROR',
      message: expect.stringContaining('rpc error: something') as unknown,
    });
  });
});
