/**
 * The state machine of one alert, as Prometheus runs its alerting rules: inactive → pending (while the condition
 * holds for less than the rule's duration) → firing → resolved (back to inactive). A pure function of the state
 * stored, one observation and the time, so the evaluator persists what it returns and a restart resumes from it.
 */

/** What one evaluation saw of the condition: holding, not holding, or no data (which changes nothing). */
export type AlertCondition = 'active' | 'inactive' | 'no-data';

/** An open alert as stored; no value means inactive. */
export interface OpenAlertState {
  state: 'pending' | 'firing';
  activeAtMs: number;
  firedAtMs: number | null;
}

export interface AlertStep {
  /** The open state after the observation; null: inactive (a pending alert dropped, or a firing one resolved). */
  next: OpenAlertState | null;
  /** `fired` and `resolved` are sent, each once per alert; anything else is not. */
  transition: 'pending' | 'fired' | 'resolved' | 'dropped' | null;
}

/**
 * One evaluation. An inactive alert whose condition holds becomes pending, and fires at the first evaluation at least
 * `forMs` after it was first seen (at once when `forMs` is 0). A pending alert whose condition stops holding is
 * dropped without a word (flapping below the duration never fires). A firing alert stays firing, with no transition,
 * as long as the condition holds; it resolves at the first evaluation that sees it not holding. No data leaves
 * everything as it is.
 */
export function stepAlert(
  current: OpenAlertState | null,
  condition: AlertCondition,
  forMs: number,
  nowMs: number,
): AlertStep {
  if (condition === 'no-data') return { next: current, transition: null };
  if (current === null) {
    if (condition === 'inactive') return { next: null, transition: null };
    if (forMs <= 0) return { next: { state: 'firing', activeAtMs: nowMs, firedAtMs: nowMs }, transition: 'fired' };
    return { next: { state: 'pending', activeAtMs: nowMs, firedAtMs: null }, transition: 'pending' };
  }
  if (condition === 'inactive') {
    return { next: null, transition: current.state === 'firing' ? 'resolved' : 'dropped' };
  }
  if (current.state === 'pending' && nowMs - current.activeAtMs >= forMs) {
    return { next: { ...current, state: 'firing', firedAtMs: nowMs }, transition: 'fired' };
  }
  return { next: current, transition: null };
}
