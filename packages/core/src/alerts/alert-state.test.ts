import { describe, expect, it } from 'vitest';
import { stepAlert, type AlertCondition, type AlertStep, type OpenAlertState } from './alert-state.js';

function manualClock(startMs = 1_700_000_000_000): { nowMs(): number; advance(ms: number): void } {
  let nowMs = startMs;
  return {
    nowMs: () => nowMs,
    advance(ms) {
      nowMs += ms;
    },
  };
}

/** Runs the machine over one observation per 15 s evaluation; returns every step's transition. */
function run(
  conditions: readonly AlertCondition[],
  forMs: number,
  start: OpenAlertState | null = null,
): { transitions: AlertStep['transition'][]; last: OpenAlertState | null } {
  const clock = manualClock();
  let state = start;
  const transitions: AlertStep['transition'][] = [];
  for (const condition of conditions) {
    const step = stepAlert(state, condition, forMs, clock.nowMs());
    transitions.push(step.transition);
    state = step.next;
    clock.advance(15_000);
  }
  return { transitions, last: state };
}

const count = (transitions: AlertStep['transition'][], which: AlertStep['transition']): number =>
  transitions.filter((t) => t === which).length;

describe('the alert state machine', () => {
  it('fires once, at the first evaluation at least the duration after the condition was first seen', () => {
    const { transitions, last } = run(['active', 'active', 'active', 'active', 'active'], 30_000);
    expect(transitions).toEqual(['pending', null, 'fired', null, null]);
    expect(last).toMatchObject({ state: 'firing', activeAtMs: 1_700_000_000_000, firedAtMs: 1_700_000_030_000 });
  });

  it('fires at the first evaluation when the duration is 0', () => {
    expect(run(['active'], 0).transitions).toEqual(['fired']);
  });

  it('stays firing without another transition for as long as the condition holds', () => {
    const { transitions } = run(Array<AlertCondition>(40).fill('active'), 60_000);
    expect(count(transitions, 'fired')).toBe(1);
    expect(transitions.slice(5).every((t) => t === null)).toBe(true);
  });

  it('resolves once when the condition stops holding, and says nothing more while it stays so', () => {
    const { transitions, last } = run(['active', 'active', 'inactive', 'inactive', 'inactive'], 15_000);
    expect(transitions).toEqual(['pending', 'fired', 'resolved', null, null]);
    expect(count(transitions, 'resolved')).toBe(1);
    expect(last).toBeNull();
  });

  it('never fires while the condition flaps for less than the duration', () => {
    const flapping: AlertCondition[] = Array.from({ length: 30 }, (_, i) => (i % 3 === 2 ? 'inactive' : 'active'));
    const { transitions } = run(flapping, 60_000);
    expect(count(transitions, 'fired')).toBe(0);
    expect(count(transitions, 'resolved')).toBe(0);
    expect(count(transitions, 'pending')).toBe(10);
    expect(count(transitions, 'dropped')).toBe(10);
  });

  it('restarts the duration after a drop: a pending alert that dropped counts from its next active evaluation', () => {
    const { transitions } = run(['active', 'active', 'inactive', 'active', 'active', 'active'], 30_000);
    expect(transitions).toEqual(['pending', null, 'dropped', 'pending', null, 'fired']);
  });

  it('changes nothing on an evaluation with no data, whatever the state (a pending alert keeps its start)', () => {
    expect(run(['active', 'no-data', 'no-data', 'active'], 30_000).transitions).toEqual([
      'pending',
      null,
      null,
      'fired',
    ]);
    const firing: OpenAlertState = { state: 'firing', activeAtMs: 1, firedAtMs: 2 };
    expect(run(['no-data', 'no-data'], 0, firing)).toEqual({ transitions: [null, null], last: firing });
  });

  it('does not fire again when resumed from a stored firing state (a restart mid-firing), and resolves once later', () => {
    const stored: OpenAlertState = { state: 'firing', activeAtMs: 1_699_999_000_000, firedAtMs: 1_699_999_300_000 };
    const { transitions } = run(['active', 'active', 'inactive', 'inactive'], 300_000, stored);
    expect(transitions).toEqual([null, null, 'resolved', null]);
  });

  it('resumes a stored pending state, counting the duration from when it was first seen', () => {
    const stored: OpenAlertState = { state: 'pending', activeAtMs: 1_700_000_000_000 - 290_000, firedAtMs: null };
    expect(run(['active'], 300_000, stored).transitions).toEqual([null]);
    expect(run(['active', 'active'], 300_000, stored).transitions).toEqual([null, 'fired']);
  });
});
