import { parseArgs } from 'node:util';
import { describe, expect, it } from 'vitest';
import { clientLimitFlagOptions, parseClientLimitFlags } from './client-limit-flags.js';

const parse = (args: string[]) =>
  parseClientLimitFlags(parseArgs({ args, options: clientLimitFlagOptions, strict: true }).values);

describe('client limit flags', () => {
  it('sets only the limits and timeouts given, leaving the rest to the defaults', () => {
    expect(parse([])).toEqual({ clientLimits: {}, clientTimeouts: {} });
    expect(
      parse([
        '--max-connections',
        '100',
        '--max-connections-per-address',
        '5',
        '--max-pipelined-requests',
        '8',
        '--idle-timeout-ms',
        '1000',
        '--head-timeout-ms',
        '2000',
        '--body-timeout-ms',
        '3000',
        '--send-timeout-ms',
        '4000',
        '--linger-ms',
        '500',
        '--tunnel-idle-timeout-ms',
        '60000',
      ]),
    ).toEqual({
      clientLimits: { maxConnections: 100, maxConnectionsPerAddress: 5, maxPipelinedRequests: 8 },
      clientTimeouts: { idleMs: 1000, headMs: 2000, bodyMs: 3000, sendMs: 4000, lingerMs: 500, tunnelIdleMs: 60_000 },
    });
  });

  it.each([
    ['--max-connections', '0', '--max-connections takes a whole number from 1 to 1000000; got 0'],
    ['--max-connections-per-address=-1', undefined, 'got -1'],
    ['--max-pipelined-requests', '2.5', 'got 2.5'],
    ['--idle-timeout-ms', '1e3', 'got 1e3'],
    ['--head-timeout-ms', '0x10', 'got 0x10'],
    ['--body-timeout-ms', '', 'got '],
    ['--send-timeout-ms', ' 5', 'got  5'],
    ['--linger-ms', 'soon', '--linger-ms takes a whole number from 1 to 86400000; got soon'],
    ['--tunnel-idle-timeout-ms', '604800001', 'from 1 to 604800000'],
  ])('refuses %s %j naming the flag and its range', (flag, value, message) => {
    expect(() => parse(value === undefined ? [flag] : [flag, value])).toThrow(message);
  });
});
