import { describe, expect, it } from 'vitest';
import { describeTrafficMatch, formatWaitSeconds } from './step-labels.js';

describe('step labels', () => {
  it('writes a wait in whole units, the largest that fit', () => {
    expect([0, 45, 60, 90, 3_600, 5_430, 86_400, 90_061].map(formatWaitSeconds)).toEqual([
      '0s',
      '45s',
      '1m',
      '1m30s',
      '1h',
      '1h30m30s',
      '1d',
      '1d1h1m1s',
    ]);
  });

  it('writes each kind of traffic match with its operator and the value quoted', () => {
    expect(describeTrafficMatch({ header: 'x-canary', value: 'always', kind: 'exact' })).toBe(
      'header x-canary = "always"',
    );
    expect(describeTrafficMatch({ header: 'x-user', value: 'tester-', kind: 'prefix' })).toBe(
      'header x-user prefix "tester-"',
    );
    expect(describeTrafficMatch({ header: 'x-user', value: '^t"[0-9]+$', kind: 'regex' })).toBe(
      'header x-user regex "^t\\"[0-9]+$"',
    );
    expect(describeTrafficMatch({ cookie: 'beta', value: 'yes' })).toBe('cookie beta = "yes"');
  });
});
