import { describe, expect, it } from 'vitest';
import { engineMessageOf } from './docker-engine.js';

describe('engine messages', () => {
  it("reads the engine's message from a parsed body, or from the unparsed body of a streamed call", () => {
    const parsed = Object.assign(new Error('(HTTP code 404) no such image - No such image: x:1 '), {
      statusCode: 404,
      json: { message: 'No such image: x:1' },
    });
    const streamed = Object.assign(new Error('(HTTP code 400) unexpected - dockerfile parse error line 2 '), {
      statusCode: 400,
      json: null,
    });
    expect(engineMessageOf(parsed)).toBe('No such image: x:1');
    expect(engineMessageOf(streamed)).toBe('dockerfile parse error line 2');
    expect(engineMessageOf(new Error('connect ENOENT /var/run/docker.sock'))).toBe(
      'connect ENOENT /var/run/docker.sock',
    );
  });
});
