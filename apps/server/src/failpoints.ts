/**
 * Turns `SLIPWAY_FAILPOINTS` into the core's failpoint hook — a testing facility in the manner of etcd's gofail,
 * read once at start. Syntax: `name=terms[;name=terms…]`; terms are `[N*]action` joined by `->`: each term acts on
 * its next N hits, the last (or an uncounted) term on every later hit. Actions: `off`, `sleep(ms)`, `pause` (hold
 * the run until it is aborted — a test kills slipwayd meanwhile), `fail(CODE)` (the run fails there with that
 * error code), `kill` (SIGKILL this process at once). Example: `rollout:step=1*off->pause`.
 */
import { errorCodes, SlipwayError, type ErrorCode } from '@slipway/contract';
import { failpointNames, isFailpointName, type Failpoint, type FailpointName, type Logger } from '@slipway/core';

export type FailpointAction =
  | { kind: 'off' }
  | { kind: 'sleep'; ms: number }
  | { kind: 'pause' }
  | { kind: 'fail'; code: ErrorCode }
  | { kind: 'kill' };

export interface FailpointTerm {
  /** Hits this term takes; `Infinity` for the last, uncounted term. */
  count: number;
  action: FailpointAction;
}

export type FailpointPlan = ReadonlyMap<FailpointName, readonly FailpointTerm[]>;

const invalid = (message: string): SlipwayError =>
  new SlipwayError('VALIDATION_FAILED', `SLIPWAY_FAILPOINTS: ${message}`);

function parseAction(text: string): FailpointAction {
  if (text === 'off' || text === 'pause' || text === 'kill') return { kind: text };
  const sleep = /^sleep\((\d+)\)$/.exec(text);
  if (sleep) return { kind: 'sleep', ms: Number(sleep[1]) };
  const fail = /^fail\(([A-Z_]+)\)$/.exec(text);
  if (fail) {
    const code = fail[1] ?? '';
    if (!(errorCodes as readonly string[]).includes(code)) throw invalid(`unknown error code "${code}"`);
    return { kind: 'fail', code: code as ErrorCode };
  }
  throw invalid(`unknown action "${text}" (expected off, sleep(ms), pause, fail(CODE) or kill)`);
}

/** Errors: `VALIDATION_FAILED` naming the bad part (unknown point, action or code). */
export function parseFailpoints(spec: string): FailpointPlan {
  const plan = new Map<FailpointName, FailpointTerm[]>();
  for (const entry of spec.split(';').map((e) => e.trim())) {
    if (entry === '') continue;
    const at = entry.indexOf('=');
    const name = entry.slice(0, at).trim();
    if (at < 0 || !isFailpointName(name)) {
      throw invalid(`"${entry}" does not name a failpoint (known: ${failpointNames.join(', ')})`);
    }
    const terms = entry
      .slice(at + 1)
      .split('->')
      .map((term): FailpointTerm => {
        const counted = /^(\d+)\*(.+)$/.exec(term.trim());
        return counted
          ? { count: Number(counted[1]), action: parseAction(counted[2] ?? '') }
          : { count: Infinity, action: parseAction(term.trim()) };
      });
    plan.set(name, terms);
  }
  return plan;
}

/** The term that acts on the `hit`-th hit (from 0), or undefined once every counted term is used up. */
export function termFor(terms: readonly FailpointTerm[], hit: number): FailpointTerm | undefined {
  let seen = 0;
  for (const term of terms) {
    seen += term.count;
    if (hit < seen) return term;
  }
  return undefined;
}

const abortable = (ms: number | undefined, signal: AbortSignal): Promise<void> =>
  new Promise((resolve, reject) => {
    if (signal.aborted) {
      reject(signal.reason as Error);
      return;
    }
    const timer = ms === undefined ? undefined : setTimeout(done, ms);
    signal.addEventListener('abort', onAbort, { once: true });
    function done(): void {
      signal.removeEventListener('abort', onAbort);
      resolve();
    }
    function onAbort(): void {
      clearTimeout(timer);
      reject(signal.reason as Error);
    }
  });

/**
 * The hook for a `SLIPWAY_FAILPOINTS` value, or undefined when it is unset or empty; logs that failpoints are on.
 * Errors: `VALIDATION_FAILED` naming the bad part.
 */
export function failpointHookFrom(spec: string | undefined, logger: Logger): Failpoint | undefined {
  if (spec === undefined || spec.trim() === '') return undefined;
  const plan = parseFailpoints(spec);
  logger.warn({ failpoints: [...plan.keys()] }, 'failpoints enabled: for testing only');
  return createFailpointHook(plan, logger.child({ component: 'failpoints' }));
}

export function createFailpointHook(plan: FailpointPlan, logger: Logger): Failpoint {
  const hits = new Map<FailpointName, number>();
  return async (name, { deploymentId, signal }) => {
    const terms = plan.get(name);
    if (terms === undefined) return;
    const hit = hits.get(name) ?? 0;
    hits.set(name, hit + 1);
    const action = termFor(terms, hit)?.action ?? { kind: 'off' };
    if (action.kind === 'off') return;
    logger.warn({ failpoint: name, deploymentId, hit: hit + 1, action: action.kind }, 'failpoint hit');
    switch (action.kind) {
      case 'sleep':
        return abortable(action.ms, signal);
      case 'pause':
        return abortable(undefined, signal);
      case 'fail':
        throw new SlipwayError(action.code, `failpoint ${name} failed the run with ${action.code}`);
      case 'kill':
        process.kill(process.pid, 'SIGKILL');
        // SIGKILL is not delivered synchronously; hold the run until it lands.
        return abortable(undefined, signal);
    }
  };
}
