import { describe, expect, it } from 'vitest';
import { withEngineTime } from './docker-logs.js';

describe("a container's log line with the engine's time", () => {
  it('takes the RFC 3339 time (nanoseconds, any offset) off the line into timeMs', () => {
    expect(withEngineTime({ stream: 'stdout', line: '2026-12-06T10:00:01.123456789Z listening on 8080' })).toEqual({
      stream: 'stdout',
      line: 'listening on 8080',
      timeMs: Date.parse('2026-12-06T10:00:01.123Z'),
    });
    expect(withEngineTime({ stream: 'stderr', line: '2026-12-06T12:00:00+02:00 x' }).timeMs).toBe(
      Date.parse('2026-12-06T10:00:00Z'),
    );
  });

  it('leaves a line without a time (the rest of a cut line) as it is', () => {
    expect(withEngineTime({ stream: 'stdout', line: 'no time here' })).toEqual({
      stream: 'stdout',
      line: 'no time here',
    });
  });
});
